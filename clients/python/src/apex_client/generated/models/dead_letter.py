from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.dead_letter_body_encoding import DeadLetterBodyEncoding

if TYPE_CHECKING:
    from ..models.dead_letter_headers import DeadLetterHeaders


T = TypeVar("T", bound="DeadLetter")


@_attrs_define
class DeadLetter:
    """A parked message, as `GET /admin/dead-letters` shows it.

    Attributes:
        id (str):
        message_id (None | str):
        queue (None | str):
        routing_key (str):
        task_id (None | str):
        reason (str):
        account (None | str):
        content_type (None | str):
        headers (DeadLetterHeaders):
        body (str):
        body_encoding (DeadLetterBodyEncoding):
    """

    id: str
    message_id: None | str
    queue: None | str
    routing_key: str
    task_id: None | str
    reason: str
    account: None | str
    content_type: None | str
    headers: DeadLetterHeaders
    body: str
    body_encoding: DeadLetterBodyEncoding
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        message_id: None | str
        message_id = self.message_id

        queue: None | str
        queue = self.queue

        routing_key = self.routing_key

        task_id: None | str
        task_id = self.task_id

        reason = self.reason

        account: None | str
        account = self.account

        content_type: None | str
        content_type = self.content_type

        headers = self.headers.to_dict()

        body = self.body

        body_encoding = self.body_encoding.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "message_id": message_id,
                "queue": queue,
                "routing_key": routing_key,
                "task_id": task_id,
                "reason": reason,
                "account": account,
                "content_type": content_type,
                "headers": headers,
                "body": body,
                "body_encoding": body_encoding,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.dead_letter_headers import DeadLetterHeaders

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_message_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        message_id = _parse_message_id(d.pop("message_id"))

        def _parse_queue(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        queue = _parse_queue(d.pop("queue"))

        routing_key = d.pop("routing_key")

        def _parse_task_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        task_id = _parse_task_id(d.pop("task_id"))

        reason = d.pop("reason")

        def _parse_account(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        account = _parse_account(d.pop("account"))

        def _parse_content_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        content_type = _parse_content_type(d.pop("content_type"))

        headers = DeadLetterHeaders.from_dict(d.pop("headers"))

        body = d.pop("body")

        body_encoding = DeadLetterBodyEncoding(d.pop("body_encoding"))

        dead_letter = cls(
            id=id,
            message_id=message_id,
            queue=queue,
            routing_key=routing_key,
            task_id=task_id,
            reason=reason,
            account=account,
            content_type=content_type,
            headers=headers,
            body=body,
            body_encoding=body_encoding,
        )

        dead_letter.additional_properties = d
        return dead_letter

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
