from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.audit_entry_view_kind import AuditEntryViewKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audit_entry_view_payload import AuditEntryViewPayload
    from ..models.audit_entry_view_subject import AuditEntryViewSubject


T = TypeVar("T", bound="AuditEntryView")


@_attrs_define
class AuditEntryView:
    """One entry as recorded; every field but the hashes is covered by `entry_hash`.

    Attributes:
        sequence (int):
        prev_hash (str):
        entry_hash (str):
        kind (AuditEntryViewKind):
        message_id (str):
        account (str):
        actor (None | str):
        routing_key (str):
        subject (AuditEntryViewSubject):
        subject_id (None | str):
        task_id (None | str):
        occurred_at (datetime.datetime):
        recorded_at (datetime.datetime):
        trace_id (None | str):
        payload (AuditEntryViewPayload):
        schema_version (int | Unset):  Default: 1.
        redacted (list[str] | Unset):
    """

    sequence: int
    prev_hash: str
    entry_hash: str
    kind: AuditEntryViewKind
    message_id: str
    account: str
    actor: None | str
    routing_key: str
    subject: AuditEntryViewSubject
    subject_id: None | str
    task_id: None | str
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    trace_id: None | str
    payload: AuditEntryViewPayload
    schema_version: int | Unset = 1
    redacted: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sequence = self.sequence

        prev_hash = self.prev_hash

        entry_hash = self.entry_hash

        kind = self.kind.value

        message_id = self.message_id

        account = self.account

        actor: None | str
        actor = self.actor

        routing_key = self.routing_key

        subject = self.subject.to_dict()

        subject_id: None | str
        subject_id = self.subject_id

        task_id: None | str
        task_id = self.task_id

        occurred_at = self.occurred_at.isoformat()

        recorded_at = self.recorded_at.isoformat()

        trace_id: None | str
        trace_id = self.trace_id

        payload = self.payload.to_dict()

        schema_version = self.schema_version

        redacted: list[str] | Unset = UNSET
        if not isinstance(self.redacted, Unset):
            redacted = self.redacted

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sequence": sequence,
                "prev_hash": prev_hash,
                "entry_hash": entry_hash,
                "kind": kind,
                "message_id": message_id,
                "account": account,
                "actor": actor,
                "routing_key": routing_key,
                "subject": subject,
                "subject_id": subject_id,
                "task_id": task_id,
                "occurred_at": occurred_at,
                "recorded_at": recorded_at,
                "trace_id": trace_id,
                "payload": payload,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version
        if redacted is not UNSET:
            field_dict["redacted"] = redacted

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.audit_entry_view_payload import AuditEntryViewPayload
        from ..models.audit_entry_view_subject import AuditEntryViewSubject

        d = dict(src_dict)
        sequence = d.pop("sequence")

        prev_hash = d.pop("prev_hash")

        entry_hash = d.pop("entry_hash")

        kind = AuditEntryViewKind(d.pop("kind"))

        message_id = d.pop("message_id")

        account = d.pop("account")

        def _parse_actor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        actor = _parse_actor(d.pop("actor"))

        routing_key = d.pop("routing_key")

        subject = AuditEntryViewSubject.from_dict(d.pop("subject"))

        def _parse_subject_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subject_id = _parse_subject_id(d.pop("subject_id"))

        def _parse_task_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        task_id = _parse_task_id(d.pop("task_id"))

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        recorded_at = datetime.datetime.fromisoformat(d.pop("recorded_at"))

        def _parse_trace_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        trace_id = _parse_trace_id(d.pop("trace_id"))

        payload = AuditEntryViewPayload.from_dict(d.pop("payload"))

        schema_version = d.pop("schema_version", UNSET)

        redacted = cast(list[str], d.pop("redacted", UNSET))

        audit_entry_view = cls(
            sequence=sequence,
            prev_hash=prev_hash,
            entry_hash=entry_hash,
            kind=kind,
            message_id=message_id,
            account=account,
            actor=actor,
            routing_key=routing_key,
            subject=subject,
            subject_id=subject_id,
            task_id=task_id,
            occurred_at=occurred_at,
            recorded_at=recorded_at,
            trace_id=trace_id,
            payload=payload,
            schema_version=schema_version,
            redacted=redacted,
        )

        audit_entry_view.additional_properties = d
        return audit_entry_view

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
