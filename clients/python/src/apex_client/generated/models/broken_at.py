from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.broken_at_reason import BrokenAtReason
from ..types import UNSET, Unset

T = TypeVar("T", bound="BrokenAt")


@_attrs_define
class BrokenAt:
    """
    Attributes:
        sequence (int):
        reason (BrokenAtReason):
        schema_version (int | Unset):  Default: 1.
        detail (str | Unset):  Default: ''.
    """

    sequence: int
    reason: BrokenAtReason
    schema_version: int | Unset = 1
    detail: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sequence = self.sequence

        reason = self.reason.value

        schema_version = self.schema_version

        detail = self.detail

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sequence": sequence,
                "reason": reason,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        sequence = d.pop("sequence")

        reason = BrokenAtReason(d.pop("reason"))

        schema_version = d.pop("schema_version", UNSET)

        detail = d.pop("detail", UNSET)

        broken_at = cls(
            sequence=sequence,
            reason=reason,
            schema_version=schema_version,
            detail=detail,
        )

        broken_at.additional_properties = d
        return broken_at

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
