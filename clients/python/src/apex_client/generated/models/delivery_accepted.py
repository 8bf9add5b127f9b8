from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DeliveryAccepted")


@_attrs_define
class DeliveryAccepted:
    """What a retry or a ping answers at once: its task, and the delivery it attempts.

    Attributes:
        task_id (str):
        status_url (str):
        webhook_id (str):
        delivery_id (str):
        event_id (None | str | Unset):
    """

    task_id: str
    status_url: str
    webhook_id: str
    delivery_id: str
    event_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        task_id = self.task_id

        status_url = self.status_url

        webhook_id = self.webhook_id

        delivery_id = self.delivery_id

        event_id: None | str | Unset
        if isinstance(self.event_id, Unset):
            event_id = UNSET
        else:
            event_id = self.event_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "task_id": task_id,
                "status_url": status_url,
                "webhook_id": webhook_id,
                "delivery_id": delivery_id,
            }
        )
        if event_id is not UNSET:
            field_dict["event_id"] = event_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        task_id = d.pop("task_id")

        status_url = d.pop("status_url")

        webhook_id = d.pop("webhook_id")

        delivery_id = d.pop("delivery_id")

        def _parse_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_id = _parse_event_id(d.pop("event_id", UNSET))

        delivery_accepted = cls(
            task_id=task_id,
            status_url=status_url,
            webhook_id=webhook_id,
            delivery_id=delivery_id,
            event_id=event_id,
        )

        delivery_accepted.additional_properties = d
        return delivery_accepted

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
