from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GetTasksTaskIdEventsResponse200")


@_attrs_define
class GetTasksTaskIdEventsResponse200:
    """
    Attributes:
        event (Literal['task']):
        id (str): the time of the change sent (RFC 3339)
        data (str):
    """

    event: Literal["task"]
    id: str
    data: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event = self.event

        id = self.id

        data = self.data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event": event,
                "id": id,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        event = cast(Literal["task"], d.pop("event"))
        if event != "task":
            raise ValueError(f"event must match const 'task', got '{event}'")

        id = d.pop("id")

        data = d.pop("data")

        get_tasks_task_id_events_response_200 = cls(
            event=event,
            id=id,
            data=data,
        )

        get_tasks_task_id_events_response_200.additional_properties = d
        return get_tasks_task_id_events_response_200

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
