from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CheckpointView")


@_attrs_define
class CheckpointView:
    """A signed statement that entry `sequence` of `account` had hash `entry_hash`.

    Attributes:
        account (str):
        sequence (int):
        entry_hash (str):
        signed_at (datetime.datetime):
        key_id (str):
        signature (str):
        message (str):
        schema_version (int | Unset):  Default: 1.
    """

    account: str
    sequence: int
    entry_hash: str
    signed_at: datetime.datetime
    key_id: str
    signature: str
    message: str
    schema_version: int | Unset = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account = self.account

        sequence = self.sequence

        entry_hash = self.entry_hash

        signed_at = self.signed_at.isoformat()

        key_id = self.key_id

        signature = self.signature

        message = self.message

        schema_version = self.schema_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account": account,
                "sequence": sequence,
                "entry_hash": entry_hash,
                "signed_at": signed_at,
                "key_id": key_id,
                "signature": signature,
                "message": message,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account = d.pop("account")

        sequence = d.pop("sequence")

        entry_hash = d.pop("entry_hash")

        signed_at = datetime.datetime.fromisoformat(d.pop("signed_at"))

        key_id = d.pop("key_id")

        signature = d.pop("signature")

        message = d.pop("message")

        schema_version = d.pop("schema_version", UNSET)

        checkpoint_view = cls(
            account=account,
            sequence=sequence,
            entry_hash=entry_hash,
            signed_at=signed_at,
            key_id=key_id,
            signature=signature,
            message=message,
            schema_version=schema_version,
        )

        checkpoint_view.additional_properties = d
        return checkpoint_view

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
