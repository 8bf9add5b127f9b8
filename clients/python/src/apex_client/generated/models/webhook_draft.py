from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.webhook_draft_events_item import WebhookDraftEventsItem

T = TypeVar("T", bound="WebhookDraft")


@_attrs_define
class WebhookDraft:
    """Body of `POST /webhooks`.

    Attributes:
        url (str):
        events (list[WebhookDraftEventsItem]):
    """

    url: str
    events: list[WebhookDraftEventsItem]

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.value
            events.append(events_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
                "events": events,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        url = d.pop("url")

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = WebhookDraftEventsItem(events_item_data)

            events.append(events_item)

        webhook_draft = cls(
            url=url,
            events=events,
        )

        return webhook_draft
