"""Delayed redelivery: a failed message waits in a delay queue, then returns to its queue.

Each consumer queue `q` has delay queues `q.retry.<n>s` (classic, durable) whose messages
expire after n seconds and are dead-lettered through the default exchange back into `q`.
A delay queue per step keeps every message in it on the same TTL, so none waits behind a
longer one.
"""

import random
from datetime import UTC, datetime, timedelta

from aio_pika.abc import AbstractIncomingMessage
from faststream.rabbit import RabbitBroker, RabbitQueue
from pamqp.commands import Basic

from apex_contracts import topology as t

from . import message_metrics as metrics

DELAYS_S = (1, 2, 4, 8, 16, 30)


def delay_for(attempt: int) -> int:
    """Seconds to wait before attempt `attempt + 1`: 1, 2, 4, … capped at 30."""
    return DELAYS_S[min(attempt - 1, len(DELAYS_S) - 1)]


def delay_queue(queue: str, delay_s: int) -> RabbitQueue:
    return RabbitQueue(
        f"{queue}.retry.{delay_s}s",
        durable=True,
        arguments={
            "x-message-ttl": delay_s * 1000,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": queue,
        },
    )


async def declare_delay_queues(broker: RabbitBroker, queue: str) -> None:
    for delay_s in DELAYS_S:
        await broker.declare_queue(delay_queue(queue, delay_s))


def attempt_of(raw: AbstractIncomingMessage) -> int:
    """1 on the first delivery; each scheduled retry adds one."""
    try:
        return max(1, int(str((raw.headers or {}).get(t.HEADER_ATTEMPT, 1))))
    except (TypeError, ValueError):
        return 1


async def schedule_retry(
    raw: AbstractIncomingMessage,
    queue: str,
    attempt: int,
    *,
    count: bool = True,
    routing_key: str | None = None,
) -> datetime:
    """Park a copy for redelivery after the back-off for `attempt`; the caller acks the original.

    With `count=False` the copy keeps its attempt number (the failure was not its own).

    The jitter shortens the wait by up to a fifth, never lengthens it past the queue's TTL.
    """
    delay_s = delay_for(attempt)
    jittered_ms = int(delay_s * 1000 * (1 - random.random() / 5))
    headers = dict(raw.headers or {})
    headers[t.HEADER_ATTEMPT] = attempt + 1 if count else attempt_of(raw)
    # the delay queue dead-letters it back under the queue's name: keep the key it came with
    if routing_key is not None:
        headers[t.HEADER_ROUTING_KEY] = routing_key
    headers.setdefault(t.HEADER_ROUTING_KEY, raw.routing_key or "")
    metrics.note(metrics.RETRY)
    await raw.channel.basic_publish(
        raw.body,
        exchange="",
        routing_key=delay_queue(queue, delay_s).name,
        properties=Basic.Properties(
            content_type=raw.content_type,
            headers=headers,
            message_id=raw.message_id,
            correlation_id=raw.correlation_id,
            delivery_mode=2,
            expiration=str(jittered_ms),
        ),
    )
    return datetime.now(UTC) + timedelta(milliseconds=jittered_ms)
