"""From a received message to an entry: headers, subject, time, trace, redaction."""

from datetime import UTC, datetime

import orjson
import pytest

from apex_audit.chain import Head, seal
from apex_audit.recording import Received, Unrecordable, draft_of
from apex_audit.redaction import REDACTED, Redactor

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def received(payload: object, **overrides: object) -> Received:
    fields: dict[str, object] = {
        "kind": "event",
        "routing_key": "project.created",
        "body": orjson.dumps(payload),
        "headers": {"x-apex-account": "acme", "x-apex-actor": "ann", "traceparent": TRACEPARENT},
        "message_id": "m-1",
        "correlation_id": None,
        "timestamp": None,
        "received_at": NOW,
    }
    fields.update(overrides)
    return Received(**fields)  # type: ignore[arg-type]


def test_an_event_records_who_for_whom_about_what_and_when() -> None:
    body = {"project_id": "p-1", "document_id": "d-1", "occurred_at": "2026-11-26T07:00:00+01:00"}
    draft = draft_of(received(body), Redactor())
    assert (draft.account, draft.actor, draft.message_id) == ("acme", "ann", "m-1")
    assert draft.subject == {"project_id": "p-1", "document_id": "d-1"}
    assert draft.occurred_at == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    assert draft.trace_id == "0af7651916cd43dd8448eb211c80319c"
    assert draft.payload == body


def test_a_command_takes_its_task_id_from_the_correlation_id() -> None:
    draft = draft_of(
        received({"project_id": "p-1"}, kind="command", correlation_id="t-9"), Redactor()
    )
    assert draft.kind == "command" and draft.task_id == "t-9"
    assert draft.occurred_at == NOW  # commands carry no time of their own


def test_a_body_that_is_not_a_json_object_cannot_be_recorded() -> None:
    with pytest.raises(Unrecordable):
        draft_of(received([1, 2]), Redactor())
    with pytest.raises(Unrecordable):
        draft_of(received(None, body=b"not json"), Redactor())


def test_named_fields_and_email_addresses_are_redacted_with_their_paths() -> None:
    body = {
        "pm_email": "pm@example.com",
        "notes": "call ann@example.org tomorrow",
        "contacts": [{"email": "x@y.io"}],
        "name": "Pylon",
    }
    redactor = Redactor.configured("pm_email", emails=True)
    draft = draft_of(received(body), redactor)
    assert draft.payload == {
        "pm_email": REDACTED,
        "notes": f"call {REDACTED} tomorrow",
        "contacts": [{"email": REDACTED}],
        "name": "Pylon",
    }
    assert draft.redacted == ("payload.pm_email", "payload.notes", "payload.contacts.0.email")


def test_the_hash_covers_the_redacted_form_only() -> None:
    body = {"pm_email": "pm@example.com"}
    (link,) = seal([draft_of(received(body), Redactor.configured("pm_email", False))], Head(), NOW)
    assert b"pm@example.com" not in link.body
    assert b'"redacted":["payload.pm_email"]' in link.body


def test_without_configuration_nothing_is_redacted() -> None:
    body = {"pm_email": "pm@example.com"}
    assert draft_of(received(body), Redactor.configured("", emails=False)).payload == body
