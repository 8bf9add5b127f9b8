"""Keyset cursors: opaque to a client, base64url (unpadded) of the JSON keyset of a page's last
item, `[created_at, id]`, which the next page continues after (newest first)."""

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


def encode_cursor(created_at: datetime, item_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), item_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The keyset a cursor names; `ValueError` for one that no page issued."""
    try:
        created_at, item_id = json.loads(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        )
        position = datetime.fromisoformat(created_at)
    except (TypeError, ValueError) as exc:
        raise ValueError("cursor is not one a page of this list issued") from exc
    if position.tzinfo is None or not isinstance(item_id, str):
        raise ValueError("cursor is not one a page of this list issued")
    return position, item_id
