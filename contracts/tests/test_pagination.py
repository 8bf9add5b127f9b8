"""Keyset cursors: what a page issues reads back; anything else is a ValueError."""

import base64
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from apex_contracts.notifications import DeliveryPageQuery
from apex_contracts.pagination import decode_cursor, encode_cursor


def test_a_cursor_reads_back_as_the_keyset_it_was_made_of() -> None:
    at, item = datetime(2026, 12, 7, 11, 30, 0, 123456, tzinfo=UTC), str(uuid4())
    cursor = encode_cursor(at, item)
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor
    assert decode_cursor(cursor) == (at, item)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not-base64!",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b'["2026-12-07T11:30:00", "x"]').decode(),  # no offset
        base64.urlsafe_b64encode(b'["yesterday", "x"]').decode(),
        base64.urlsafe_b64encode(b'["2026-12-07T11:30:00Z", 7]').decode(),
        base64.urlsafe_b64encode(b'{"before": 3}').decode(),
    ],
)
def test_a_cursor_no_page_issued_is_refused(cursor: str) -> None:
    with pytest.raises(ValueError):
        decode_cursor(cursor)


def test_a_deliveries_query_refuses_a_cursor_naming_no_delivery() -> None:
    good = encode_cursor(datetime.now(UTC), str(uuid4()))
    assert DeliveryPageQuery.model_validate({"cursor": good}).cursor == good
    for bad in (encode_cursor(datetime.now(UTC), "a-project"), "%%", "x" * 201):
        with pytest.raises(ValueError) as raised:
            DeliveryPageQuery.model_validate({"cursor": bad})
        assert "cursor" in str(raised.value)
