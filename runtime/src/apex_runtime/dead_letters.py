"""Sending a message that cannot be processed to `apex.dead`, with the reason attached."""

import logging

from aio_pika.abc import AbstractIncomingMessage
from pamqp.commands import Basic

from apex_contracts import topology as t
from apex_contracts.tasks import ErrorCode

from .status_store import StatusStore

log = logging.getLogger(__name__)


async def dead_letter(raw: AbstractIncomingMessage, reason: str, status: StatusStore) -> None:
    """Copy the message to `apex.dead` (header `x-apex-error`) and fail its task, if any.

    The caller acks the original afterwards; the copy is confirmed first, so nothing is lost.
    """
    headers = dict(raw.headers or {})
    headers[t.HEADER_ERROR] = reason
    await raw.channel.basic_publish(
        raw.body,
        exchange=t.DEAD_EXCHANGE,
        routing_key=raw.routing_key or "",
        properties=Basic.Properties(
            content_type=raw.content_type,
            headers=headers,
            message_id=raw.message_id,
            correlation_id=raw.correlation_id,
            delivery_mode=2,
        ),
    )
    log.warning("message dead-lettered", extra={"routing_key": raw.routing_key, "reason": reason})
    if raw.correlation_id:
        await status.fail(raw.correlation_id, ErrorCode.INVALID, reason)
