"""`apex status`, `apex dlq list|replay` and `apex tasks stuck`: operator views of how the
system is and what went wrong."""

import argparse
import asyncio
import getpass
import socket
import sys
from datetime import UTC, datetime, timedelta

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from redis.asyncio import Redis
from redis.exceptions import RedisError

from apex_contracts import topology as t
from apex_contracts.operations import QueueStatus, ServiceStatus
from apex_contracts.operators import DeadLetterReplayed
from apex_contracts.tasks import TaskState

from .amqp_client import BROKER_ERRORS
from .dead_letter_queue import (
    each_dead_letter,
    publish_records,
    reason_of,
    replay,
    replay_record,
    target_queue,
)
from .heartbeat import statuses
from .settings import get_settings
from .status_store import task_key
from .system_status import consumed_queues, queue_statuses


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


def register_status(verbs: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    verbs.add_parser(
        "status", help="every service's readiness, queue depths, consumers and dead letters"
    ).set_defaults(func=cmd_status)


def register_tasks(tasks: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    stuck = tasks.add_parser("stuck", help="tasks STARTED longer than the lease")
    stuck.add_argument("--older-than", type=float, default=300.0, help="lease in seconds")
    stuck.set_defaults(func=cmd_tasks_stuck)


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def cmd_dlq_list(_: argparse.Namespace) -> int:
    async def show(message: AbstractIncomingMessage, _: AbstractChannel) -> bool:
        print(
            f"{message.message_id}  queue={target_queue(message)}  "
            f"key={message.routing_key}  task={message.correlation_id}  {reason_of(message)}"
        )
        return False

    asyncio.run(each_dead_letter(get_settings().amqp_url, show))
    return 0


def cmd_dlq_replay(args: argparse.Namespace) -> int:
    """Replays are recorded in the audit log as the operator `cli:<user>@<host>`, once the
    pass is over (each replay is confirmed before its record is sent)."""
    actor = f"cli:{getpass.getuser()}@{socket.gethostname()}"
    records: list[DeadLetterReplayed] = []

    async def chosen(message: AbstractIncomingMessage, channel: AbstractChannel) -> bool:
        if not args.all and message.message_id != args.message_id:
            return False
        replayed = await replay(message, channel)
        if replayed is None:
            print(f"{message.message_id}: origin unknown, left in place")
            return False
        print(f"{message.message_id} → {replayed.queue}")
        records.append(replay_record(message, replayed.queue, actor))
        return True

    async def replay_and_record() -> int:
        amqp_url = get_settings().amqp_url
        replayed = await each_dead_letter(amqp_url, chosen)
        try:
            await publish_records(amqp_url, records)
        except (*BROKER_ERRORS, OSError) as exc:
            ids = ", ".join(r.dead_letter_id for r in records)
            print(f"replayed, but not recorded in the audit log ({exc!r}): {ids}", file=sys.stderr)
        return replayed

    replayed = asyncio.run(replay_and_record())
    print(f"replayed {replayed}")
    return 0 if replayed or args.all else 1


def cmd_status(_: argparse.Namespace) -> int:
    """One table of what `GET /admin/status` shows; exit status 1 unless every APEX service is
    ready and no message is parked."""

    async def read() -> tuple[list[ServiceStatus], list[QueueStatus]]:
        settings = get_settings()
        redis = Redis.from_url(settings.redis_url)
        try:
            services = await statuses(redis, t.SERVICES)
        finally:
            await redis.aclose()
        return services, await queue_statuses(settings.amqp_url, consumed_queues())

    try:
        services, queues = asyncio.run(read())
    except (*BROKER_ERRORS, OSError, RedisError) as exc:
        print(f"cannot read the status: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(f"{'SERVICE':<24}{'READY':<7}{'INSTANCES':<11}DETAIL")
    for service in services:
        ready = "yes" if service.ready else "NO"
        print(f"{service.name:<24}{ready:<7}{len(service.instances):<11}{service.detail or ''}")
    width = max(len(q.name) for q in queues) + 2
    print(f"\n{'QUEUE':<{width}}{'MESSAGES':>9}{'CONSUMERS':>11}")
    for queue in queues:
        if queue.error:
            print(f"{queue.name:<{width}}{queue.error}")
        else:
            print(f"{queue.name:<{width}}{queue.messages:>9}{queue.consumers:>11}")
    (dead,) = [q.messages for q in queues if q.name == t.DEAD_LETTER_QUEUE]
    print(f"\ndead letters: {dead if dead is not None else 'unknown'}")
    expected = [s for s in services if s.name in t.SERVICES]  # others are shown, not judged
    return 0 if all(s.ready for s in expected) and dead == 0 else 1


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
