from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.broken_at import BrokenAt


T = TypeVar("T", bound="AuditVerification")


@_attrs_define
class AuditVerification:
    """`GET /audit/verify`: on a break, the counts describe the valid prefix.

    Attributes:
        account (str):
        verified (bool):
        entries (int):
        head_sequence (int):
        head_hash (None | str):
        broken_at (BrokenAt | None):
        schema_version (int | Unset):  Default: 1.
        checkpoints (int | Unset):  Default: 0.
        complete (bool | Unset):  Default: True.
    """

    account: str
    verified: bool
    entries: int
    head_sequence: int
    head_hash: None | str
    broken_at: BrokenAt | None
    schema_version: int | Unset = 1
    checkpoints: int | Unset = 0
    complete: bool | Unset = True
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.broken_at import BrokenAt

        account = self.account

        verified = self.verified

        entries = self.entries

        head_sequence = self.head_sequence

        head_hash: None | str
        head_hash = self.head_hash

        broken_at: dict[str, Any] | None
        if isinstance(self.broken_at, BrokenAt):
            broken_at = self.broken_at.to_dict()
        else:
            broken_at = self.broken_at

        schema_version = self.schema_version

        checkpoints = self.checkpoints

        complete = self.complete

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account": account,
                "verified": verified,
                "entries": entries,
                "head_sequence": head_sequence,
                "head_hash": head_hash,
                "broken_at": broken_at,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version
        if checkpoints is not UNSET:
            field_dict["checkpoints"] = checkpoints
        if complete is not UNSET:
            field_dict["complete"] = complete

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.broken_at import BrokenAt

        d = dict(src_dict)
        account = d.pop("account")

        verified = d.pop("verified")

        entries = d.pop("entries")

        head_sequence = d.pop("head_sequence")

        def _parse_head_hash(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        head_hash = _parse_head_hash(d.pop("head_hash"))

        def _parse_broken_at(data: object) -> BrokenAt | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                broken_at_type_0 = BrokenAt.from_dict(data)

                return broken_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BrokenAt | None, data)

        broken_at = _parse_broken_at(d.pop("broken_at"))

        schema_version = d.pop("schema_version", UNSET)

        checkpoints = d.pop("checkpoints", UNSET)

        complete = d.pop("complete", UNSET)

        audit_verification = cls(
            account=account,
            verified=verified,
            entries=entries,
            head_sequence=head_sequence,
            head_hash=head_hash,
            broken_at=broken_at,
            schema_version=schema_version,
            checkpoints=checkpoints,
            complete=complete,
        )

        audit_verification.additional_properties = d
        return audit_verification

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
