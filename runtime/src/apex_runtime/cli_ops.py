"""`apex dlq list|replay` and `apex tasks stuck`: operator views of what went wrong."""

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from redis.asyncio import Redis

from apex_contracts import topology as t
from apex_contracts.tasks import TaskState

from .settings import get_settings
from .status_store import task_key


def register(verbs: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    dlq = verbs.add_parser("dlq", help="parked messages").add_subparsers(
        dest="action", required=True
    )
    dlq.add_parser("list", help="show the dead letters").set_defaults(func=cmd_dlq_list)
    replay = dlq.add_parser("replay", help="send dead letters back to their queue")
    which = replay.add_mutually_exclusive_group(required=True)
    which.add_argument("message_id", nargs="?")
    which.add_argument("--all", action="store_true")
    replay.set_defaults(func=cmd_dlq_replay)


def register_tasks(tasks: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    stuck = tasks.add_parser("stuck", help="tasks STARTED longer than the lease")
    stuck.add_argument("--older-than", type=float, default=300.0, help="lease in seconds")
    stuck.set_defaults(func=cmd_tasks_stuck)


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


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


async def _each_dead_letter(
    decide: "Any",
) -> int:
    """Take every dead letter once; `decide(message, channel)` returns True to remove it."""
    settings = get_settings()
    connection = await aio_pika.connect(settings.amqp_url)
    removed = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.get_queue(t.DEAD_LETTER_QUEUE)
        held: list[AbstractIncomingMessage] = []
        while (message := await queue.get(no_ack=False, fail=False)) is not None:
            if await decide(message, channel):
                await message.ack()
                removed += 1
            else:
                held.append(message)
        for message in held:
            await message.nack(requeue=True)
    return removed


def cmd_dlq_list(_: argparse.Namespace) -> int:
    async def show(message: AbstractIncomingMessage, _: Any) -> bool:
        print(
            f"{message.message_id}  queue={target_queue(message)}  "
            f"key={message.routing_key}  task={message.correlation_id}  {reason_of(message)}"
        )
        return False

    asyncio.run(_each_dead_letter(show))
    return 0


def cmd_dlq_replay(args: argparse.Namespace) -> int:
    async def replay(
        message: AbstractIncomingMessage, channel: aio_pika.abc.AbstractChannel
    ) -> bool:
        if not args.all and message.message_id != args.message_id:
            return False
        queue = target_queue(message)
        if queue is None:
            print(f"{message.message_id}: origin unknown, left in place")
            return False
        headers = {
            k: v
            for k, v in dict(message.headers or {}).items()
            if k not in (t.HEADER_ERROR, t.HEADER_QUEUE, "x-death", "x-delivery-count")
        }
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
        print(f"{message.message_id} → {queue}")
        return True

    replayed = asyncio.run(_each_dead_letter(replay))
    print(f"replayed {replayed}")
    return 0 if replayed or args.all else 1


def cmd_tasks_stuck(args: argparse.Namespace) -> int:
    async def scan() -> int:
        settings = get_settings()
        redis = Redis.from_url(settings.redis_url)
        cutoff = datetime.now(UTC) - timedelta(seconds=args.older_than)
        found = 0
        try:
            # tasks are the hashes (their children and history are lists)
            async for raw_key in redis.scan_iter(match=task_key("*"), count=500, _type="hash"):
                key = _text(raw_key)
                if key is None:
                    continue
                values = await redis.hmget(key, "state", "kind", "updated_at")
                state, kind, updated = (_text(v) for v in values)
                if state != TaskState.STARTED.value or updated is None:
                    continue
                if datetime.fromisoformat(updated) < cutoff:
                    found += 1
                    task_id = key.removeprefix(t.REDIS_TASK_PREFIX)
                    print(f"{task_id}  {kind}  started, last change {updated}")
        finally:
            await redis.aclose()
        print(f"{found} task(s) STARTED for more than {args.older_than:g} s")
        return 0

    return asyncio.run(scan())
