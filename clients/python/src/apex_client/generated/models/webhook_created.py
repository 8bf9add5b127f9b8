from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WebhookCreated")


@_attrs_define
class WebhookCreated:
    """What `POST /webhooks` answers: the secret appears here and nowhere else.

    Attributes:
        webhook_id (UUID):
        secret (str):
        url (str):
        events (list[str]):
        task_id (str):
        status_url (str):
    """

    webhook_id: UUID
    secret: str
    url: str
    events: list[str]
    task_id: str
    status_url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        webhook_id = str(self.webhook_id)

        secret = self.secret

        url = self.url

        events = self.events

        task_id = self.task_id

        status_url = self.status_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "webhook_id": webhook_id,
                "secret": secret,
                "url": url,
                "events": events,
                "task_id": task_id,
                "status_url": status_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        webhook_id = UUID(d.pop("webhook_id"))

        secret = d.pop("secret")

        url = d.pop("url")

        events = cast(list[str], d.pop("events"))

        task_id = d.pop("task_id")

        status_url = d.pop("status_url")

        webhook_created = cls(
            webhook_id=webhook_id,
            secret=secret,
            url=url,
            events=events,
            task_id=task_id,
            status_url=status_url,
        )

        webhook_created.additional_properties = d
        return webhook_created

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
