from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.replayed import Replayed


T = TypeVar("T", bound="ReplayResult")


@_attrs_define
class ReplayResult:
    """`POST /admin/dead-letters/{id}/replay` and `POST /admin/dead-letters/replay`.

    Attributes:
        replayed (list[Replayed]):
    """

    replayed: list[Replayed]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        replayed = []
        for replayed_item_data in self.replayed:
            replayed_item = replayed_item_data.to_dict()
            replayed.append(replayed_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "replayed": replayed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.replayed import Replayed

        d = dict(src_dict)
        replayed = []
        _replayed = d.pop("replayed")
        for replayed_item_data in _replayed:
            replayed_item = Replayed.from_dict(replayed_item_data)

            replayed.append(replayed_item)

        replay_result = cls(
            replayed=replayed,
        )

        replay_result.additional_properties = d
        return replay_result

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
