"""Keyset cursors: opaque to a client, base64url (unpadded) of the JSON keyset of a page's last
item, which the next page continues after. Most lists page newest first on `[created_at, id]`
(`encode_cursor`); the audit log pages on its sequence number (`pack` of its own keyset)."""

import base64
import json
from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints

# A page's cursor as a query parameter: base64url without padding, bounded (a cursor this code
# makes is well under 200 characters; an unbounded one would make a URL the server refuses)
Cursor = Annotated[
    str, StringConstraints(min_length=1, max_length=500, pattern=r"^[A-Za-z0-9_-]+$")
]


def pack(keyset: object) -> str:
    """A cursor naming `keyset` (any JSON value)."""
    return base64.urlsafe_b64encode(json.dumps(keyset).encode()).decode().rstrip("=")


def unpack(cursor: str) -> object:
    """The keyset a cursor names; `ValueError` for text that is not a cursor at all."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (TypeError, ValueError) as exc:  # binascii.Error and JSONDecodeError are ValueErrors
        raise ValueError("cursor is not one a page of this list issued") from exc


def encode_cursor(created_at: datetime, item_id: str) -> str:
    return pack([created_at.isoformat(), item_id])


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The `[created_at, id]` keyset a cursor names; `ValueError` for one no page issued."""
    try:
        keyset = unpack(cursor)
        if not isinstance(keyset, list):
            raise TypeError(keyset)
        created_at, item_id = keyset
        position = datetime.fromisoformat(created_at)
    except (TypeError, ValueError) as exc:
        raise ValueError("cursor is not one a page of this list issued") from exc
    if position.tzinfo is None or not isinstance(item_id, str):
        raise ValueError("cursor is not one a page of this list issued")
    return position, item_id
