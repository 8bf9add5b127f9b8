"""Sending a message that cannot be processed to `apex.dead`, with the reason attached."""

import logging

from aio_pika.abc import AbstractIncomingMessage
from pamqp.commands import Basic

from apex_contracts import topology as t
from apex_contracts.tasks import ErrorCode

from . import message_metrics as metrics
from .redis_pool import REDIS_UNAVAILABLE
from .status_store import StatusStore

log = logging.getLogger(__name__)


async def dead_letter(
    raw: AbstractIncomingMessage,
    reason: str,
    status: StatusStore,
    *,
    queue: str | None = None,
    code: ErrorCode = ErrorCode.INVALID,
    task_id: str | None = None,
) -> None:
    """Copy the message to `apex.dead` (headers `x-apex-error`, `x-apex-queue`) and fail its
    task.

    The caller acks the original afterwards; the copy is confirmed first, so nothing is lost.
    """
    headers = dict(raw.headers or {})
    headers[t.HEADER_ERROR] = reason
    if queue:
        headers[t.HEADER_QUEUE] = queue
    headers.setdefault(t.HEADER_ROUTING_KEY, raw.routing_key or "")
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
    metrics.note(metrics.DEAD_LETTERED)
    log.warning("message dead-lettered", extra={"routing_key": raw.routing_key, "reason": reason})
    task_id = task_id or raw.correlation_id
    if task_id:
        try:
            await status.fail(task_id, code, reason)
        except REDIS_UNAVAILABLE:
            log.warning("could not mark task %s failed: task store unreachable", task_id)
