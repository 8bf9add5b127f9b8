"""Reading and replaying `apex.dead-letters`, for `apex dlq` and the gateway's `/admin` routes.

RabbitMQ lets a queue be read only by taking its messages: each is taken unacknowledged and,
unless it is replayed, put back (`nack(requeue=True)`) when the pass ends. A replay publishes a
copy to the queue it came from, confirmed, before the dead letter is acknowledged, so a failure
between the two leaves both (the consumer's inbox takes the message once). Two passes at once
see each other's messages as missing; operators' passes are rare and short.
"""

import base64
import binascii
import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from apex_contracts import topology as t
from apex_contracts.operations import DeadLetter, Replayed
from apex_contracts.operators import DeadLetterReplayed

SCAN_MAX = 10_000  # dead letters one pass looks at, at most
DROPPED_ON_REPLAY = (t.HEADER_ERROR, t.HEADER_QUEUE, "x-death", "x-delivery-count")

Decide = Callable[[AbstractIncomingMessage, AbstractChannel], Awaitable[bool]]


def target_queue(message: AbstractIncomingMessage) -> str | None:
    """Where a dead letter came from: our header, or RabbitMQ's `x-death` record."""
    headers: dict[str, Any] = dict(message.headers or {})
    if headers.get(t.HEADER_QUEUE):
        return str(headers[t.HEADER_QUEUE])
    deaths = headers.get("x-death") or []
    if deaths and isinstance(deaths[0], dict) and deaths[0].get("queue"):
        return str(deaths[0]["queue"])
    return None


def reason_of(message: AbstractIncomingMessage) -> str:
    headers: dict[str, Any] = dict(message.headers or {})
    if headers.get(t.HEADER_ERROR):
        return str(headers[t.HEADER_ERROR])
    deaths = headers.get("x-death") or []
    return str(deaths[0].get("reason", "")) if deaths and isinstance(deaths[0], dict) else ""


def routing_key_of(message: AbstractIncomingMessage) -> str:
    """The routing key the message was first published with (ours, kept in a header)."""
    headers: dict[str, Any] = dict(message.headers or {})
    return str(headers.get(t.HEADER_ROUTING_KEY) or message.routing_key or "")


def id_of(message: AbstractIncomingMessage) -> str:
    """The message id, or a digest of its body for one that has none."""
    return message.message_id or f"sha256:{hashlib.sha256(message.body).hexdigest()[:32]}"


def described(message: AbstractIncomingMessage) -> DeadLetter:
    headers = dict(message.headers or {})
    try:
        body, encoding = message.body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        body, encoding = base64.b64encode(message.body).decode(), "base64"
    account = headers.get(t.HEADER_ACCOUNT)
    return DeadLetter(
        id=id_of(message),
        message_id=message.message_id,
        queue=target_queue(message),
        routing_key=routing_key_of(message),
        task_id=message.correlation_id,
        reason=reason_of(message),
        account=str(account) if account is not None else None,
        content_type=message.content_type,
        headers={k: _plain(v) for k, v in headers.items()},
        body=body,
        body_encoding=encoding,
    )


def _plain(value: Any) -> Any:
    """A header value as JSON can hold it (AMQP tables carry bytes and timestamps)."""
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            return binascii.hexlify(value).decode()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


async def each_dead_letter(amqp_url: str, decide: Decide) -> int:
    """Take each dead letter once (up to `SCAN_MAX`); `decide(message, channel)` returns True
    to remove it. Returns how many were removed; the others go back."""
    connection = await aio_pika.connect(amqp_url)
    removed = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.get_queue(t.DEAD_LETTER_QUEUE)
        held: list[AbstractIncomingMessage] = []
        try:
            while len(held) < SCAN_MAX:
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                if await decide(message, channel):
                    await message.ack()
                    removed += 1
                else:
                    held.append(message)
        finally:
            for message in held:
                await message.nack(requeue=True)
    return removed


async def replay(message: AbstractIncomingMessage, channel: AbstractChannel) -> Replayed | None:
    """Publish a fresh copy of `message` to the queue it came from (a first attempt again),
    confirmed; None when its origin is unknown (it stays parked)."""
    queue = target_queue(message)
    if queue is None:
        return None
    headers = {k: v for k, v in dict(message.headers or {}).items() if k not in DROPPED_ON_REPLAY}
    headers[t.HEADER_ATTEMPT] = 1
    await channel.default_exchange.publish(
        aio_pika.Message(
            message.body,
            headers=headers,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            content_type=message.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        routing_key=queue,
    )
    return Replayed(id=id_of(message), queue=queue)


def replay_record(message: AbstractIncomingMessage, queue: str, actor: str) -> DeadLetterReplayed:
    """The audit log's record of a replay by `actor`, in the dead letter's account (the
    reserved `_security` account for one that names none)."""
    account = (message.headers or {}).get(t.HEADER_ACCOUNT)
    return DeadLetterReplayed(
        account=str(account) if account is not None else t.SECURITY_ACCOUNT,
        actor=actor,
        dead_letter_id=id_of(message),
        queue=queue,
        routing_key=routing_key_of(message),
        task_id=message.correlation_id,
        replayed_at=datetime.now(UTC),
    )


async def publish_records(amqp_url: str, records: list[DeadLetterReplayed]) -> None:
    """Publish replay records to `apex.events` on a connection of their own, each confirmed."""
    if not records:
        return
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        events = await channel.get_exchange(t.EVENTS_EXCHANGE)
        for record in records:
            message = aio_pika.Message(
                record.model_dump_json().encode(),
                headers={t.HEADER_ACCOUNT: record.account, t.HEADER_ACTOR: record.actor},
                message_id=str(uuid4()),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await events.publish(message, t.DEAD_LETTER_REPLAYED)
