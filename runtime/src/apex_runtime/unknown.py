"""What a service does with a command it does not know: dead-letter it and fail its task."""

from typing import Any

from faststream.message import StreamMessage

from .dead_letters import dead_letter
from .status_store import StatusStore


async def refuse_unknown_command(msg: StreamMessage[Any], status: StatusStore) -> None:
    raw = msg.raw_message
    await dead_letter(raw, f"no handler for routing key {raw.routing_key!r}", status)
