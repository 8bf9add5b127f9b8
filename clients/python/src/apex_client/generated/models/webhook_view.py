from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookView")


@_attrs_define
class WebhookView:
    """A webhook as its account sees it: never the secret.

    Attributes:
        webhook_id (UUID):
        url (str):
        events (list[str]):
        created_by (str):
        created_at (datetime.datetime):
        schema_version (int | Unset):  Default: 1.
    """

    webhook_id: UUID
    url: str
    events: list[str]
    created_by: str
    created_at: datetime.datetime
    schema_version: int | Unset = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        webhook_id = str(self.webhook_id)

        url = self.url

        events = self.events

        created_by = self.created_by

        created_at = self.created_at.isoformat()

        schema_version = self.schema_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "webhook_id": webhook_id,
                "url": url,
                "events": events,
                "created_by": created_by,
                "created_at": created_at,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        webhook_id = UUID(d.pop("webhook_id"))

        url = d.pop("url")

        events = cast(list[str], d.pop("events"))

        created_by = d.pop("created_by")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        schema_version = d.pop("schema_version", UNSET)

        webhook_view = cls(
            webhook_id=webhook_id,
            url=url,
            events=events,
            created_by=created_by,
            created_at=created_at,
            schema_version=schema_version,
        )

        webhook_view.additional_properties = d
        return webhook_view

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
