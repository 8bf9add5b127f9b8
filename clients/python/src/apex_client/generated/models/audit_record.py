from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audit_record_entry import AuditRecordEntry


T = TypeVar("T", bound="AuditRecord")


@_attrs_define
class AuditRecord:
    """One NDJSON line of an export: enough to recompute the chain outside APEX.

    Attributes:
        sequence (int):
        prev_hash (str):
        entry_hash (str):
        entry (AuditRecordEntry):
        schema_version (int | Unset):  Default: 1.
    """

    sequence: int
    prev_hash: str
    entry_hash: str
    entry: AuditRecordEntry
    schema_version: int | Unset = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sequence = self.sequence

        prev_hash = self.prev_hash

        entry_hash = self.entry_hash

        entry = self.entry.to_dict()

        schema_version = self.schema_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sequence": sequence,
                "prev_hash": prev_hash,
                "entry_hash": entry_hash,
                "entry": entry,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.audit_record_entry import AuditRecordEntry

        d = dict(src_dict)
        sequence = d.pop("sequence")

        prev_hash = d.pop("prev_hash")

        entry_hash = d.pop("entry_hash")

        entry = AuditRecordEntry.from_dict(d.pop("entry"))

        schema_version = d.pop("schema_version", UNSET)

        audit_record = cls(
            sequence=sequence,
            prev_hash=prev_hash,
            entry_hash=entry_hash,
            entry=entry,
            schema_version=schema_version,
        )

        audit_record.additional_properties = d
        return audit_record

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
