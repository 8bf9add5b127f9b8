"""From a received message to a draft entry: who, on whose behalf, about what, when."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from apex_contracts import topology as t

from .chain import SUBJECT_FIELDS, Draft
from .redaction import Redactor


class Unrecordable(ValueError):
    """The message cannot become an entry (its body is not a JSON object)."""


@dataclass(frozen=True)
class Received:
    """The parts of an AMQP message the audit log reads; `kind` names the exchange it came from."""

    kind: str  # "event" | "command"
    routing_key: str
    body: bytes
    headers: dict[str, Any]
    message_id: str | None
    correlation_id: str | None
    timestamp: datetime | None
    received_at: datetime


def draft_of(message: Received, redactor: Redactor) -> Draft:
    """The entry a message becomes; raises `Unrecordable` for a body that is no JSON object."""
    try:
        payload = orjson.loads(message.body)
    except orjson.JSONDecodeError as exc:
        raise Unrecordable(f"body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise Unrecordable(f"body is a JSON {type(payload).__name__}, not an object")
    headers = message.headers
    payload, redacted = redactor.redact(payload)
    task_id = message.correlation_id or _text(payload.get("task_id"))
    return Draft(
        kind=message.kind,
        account=_text(headers.get(t.HEADER_ACCOUNT)) or _text(payload.get("account")) or "",
        message_id=message.message_id or _fallback_id(message),
        routing_key=message.routing_key,
        actor=_text(headers.get(t.HEADER_ACTOR)) or _text(payload.get("actor")),
        subject={f: str(payload[f]) for f in SUBJECT_FIELDS if payload.get(f)},
        task_id=task_id,
        occurred_at=occurred_at_of(payload, message.timestamp, message.received_at),
        trace_id=trace_id_of(_text(headers.get("traceparent"))),
        payload=payload,
        redacted=redacted,
    )


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id inside a W3C `traceparent` header (`00-<trace id>-<span id>-<flags>`)."""
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


def occurred_at_of(
    payload: dict[str, Any], timestamp: datetime | None, received_at: datetime
) -> datetime:
    """The event's own `occurred_at` when it has a zone, else the AMQP timestamp, else now."""
    stated = payload.get("occurred_at")
    if isinstance(stated, str):
        try:
            moment = datetime.fromisoformat(stated)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(UTC)
    return timestamp or received_at


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return str(value)


def _fallback_id(message: Received) -> str:
    """A message without `message_id` (every publisher sets one) is keyed by its content."""
    return "sha256:" + hashlib.sha256(message.routing_key.encode() + message.body).hexdigest()
