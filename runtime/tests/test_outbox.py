"""The outbox relay against the real PostgreSQL and RabbitMQ: all sent, each aggregate in order."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aio_pika
import orjson
from faststream.rabbit import RabbitBroker
from prometheus_client import REGISTRY
from sqlalchemy import MetaData, Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from apex_contracts import topology as t
from apex_runtime.broker import declare_topology, make_broker
from apex_runtime.db import make_engine
from apex_runtime.outbox import EventPublisher, OutboxRelay, outbox_table
from apex_runtime.settings import Settings

SCHEMA = "outbox_relay_test"


@dataclass
class Rig:
    engine: AsyncEngine
    table: Table
    broker: RabbitBroker
    queue: aio_pika.abc.AbstractQueue
    key: str  # the routing key `queue` is bound to on apex.events


@asynccontextmanager
async def rig(queue_arguments: dict[str, Any] | None = None) -> AsyncIterator[Rig]:
    """A fresh outbox table, a connected broker and a queue for what the relay publishes."""
    settings = Settings()
    engine = make_engine(settings)
    table = outbox_table(MetaData(), SCHEMA)
    broker = make_broker(settings)
    connection = await aio_pika.connect(settings.amqp_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            await conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
            await conn.run_sync(table.metadata.create_all)
        await broker.connect()
        await declare_topology(broker)
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True, arguments=queue_arguments)
        key = f"test.outbox.{uuid4().hex}"
        await queue.bind(t.EVENTS_EXCHANGE, key)
        yield Rig(engine, table, broker, queue, key)
    finally:
        await connection.close()
        await broker.stop()
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await engine.dispose()


async def test_relay_publishes_every_row_once_and_keeps_each_aggregates_order() -> None:
    async with rig() as r:
        aggregates = [str(uuid4()) for _ in range(5)]
        rows = [
            {
                "message_id": str(uuid4()),
                "routing_key": r.key,
                "aggregate_id": aggregates[i % 5],
                "body": orjson.dumps({"aggregate": aggregates[i % 5], "seq": i // 5}).decode(),
                "headers": {},
                "created_at": datetime.now(UTC),
            }
            for i in range(150)  # interleaved, more than one batch
        ]
        async with r.engine.begin() as conn:
            await conn.execute(r.table.insert(), rows)

        relay = OutboxRelay(r.engine, r.table, EventPublisher(Settings().amqp_url), poll_s=1.0)
        assert await relay.drain_once(batch=100) == 100
        assert await relay.drain_once(batch=100) == 50
        assert await relay.drain_once(batch=100) == 0

        seen: dict[str, list[int]] = {a: [] for a in aggregates}
        async with asyncio.timeout(20):
            async with r.queue.iterator() as messages:
                received = 0
                async for message in messages:
                    event = orjson.loads(message.body)
                    seen[event["aggregate"]].append(event["seq"])
                    await message.ack()
                    received += 1
                    if received == len(rows):
                        break
        assert seen == {a: list(range(30)) for a in aggregates}
        async with r.engine.connect() as conn:
            unsent = await conn.scalar(
                select(func.count()).select_from(r.table).where(r.table.c.sent_at.is_(None))
            )
        assert unsent == 0


async def test_relay_stops_when_cancelled_while_its_publishes_fail() -> None:
    """A shutdown cancels the relay mid-failure (the broker is gone): it must end, not loop."""
    settings = Settings()
    engine = make_engine(settings)
    table = outbox_table(MetaData(), SCHEMA)
    never_connected = EventPublisher("amqp://127.0.0.1:1/")
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            await conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
            await conn.run_sync(table.metadata.create_all)
            await conn.execute(
                table.insert(),
                [
                    {
                        "message_id": str(uuid4()),
                        "routing_key": "test.outbox.unsent",
                        "aggregate_id": str(i % 3),
                        "body": "{}",
                        "headers": {},
                        "created_at": datetime.now(UTC),
                    }
                    for i in range(9)
                ],
            )
        relay = OutboxRelay(engine, table, never_connected, poll_s=0.05)
        running = asyncio.create_task(relay.run())
        await asyncio.sleep(0.5)  # several failed rounds
        running.cancel()
        done, _ = await asyncio.wait({running}, timeout=5)
        assert done, "the relay kept running after it was cancelled"
        async with engine.connect() as conn:
            unsent = await conn.scalar(
                select(func.count()).select_from(table).where(table.c.sent_at.is_(None))
            )
        assert unsent == 9  # nothing marked sent that was not confirmed
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await engine.dispose()


async def test_rows_committed_during_a_drain_are_published_without_waiting_for_a_poll() -> None:
    """The relay re-reads at once only after a full batch; a commit's wake-up covers the rest.

    With polling an hour away, every row of many small commits, some landing while a drain
    is in flight, must still be published promptly.
    """
    async with rig() as r:
        relay = OutboxRelay(r.engine, r.table, EventPublisher(Settings().amqp_url), poll_s=3600)
        running = asyncio.create_task(relay.run())

        async def commit_and_wake(n: int) -> None:
            async with r.engine.begin() as conn:
                await conn.execute(
                    r.table.insert(),
                    {
                        "message_id": str(uuid4()),
                        "routing_key": r.key,
                        "aggregate_id": str(n % 7),
                        "body": orjson.dumps({"n": n}).decode(),
                        "headers": {},
                        "created_at": datetime.now(UTC),
                    },
                )
            relay.wake()  # as UnitOfWork does after its commit

        try:
            await asyncio.gather(*(commit_and_wake(n) for n in range(60)))
            seen: set[int] = set()
            async with asyncio.timeout(20), r.queue.iterator() as messages:
                async for message in messages:
                    seen.add(orjson.loads(message.body)["n"])
                    await message.ack()
                    if len(seen) == 60:
                        break
            assert seen == set(range(60))
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)


async def test_events_a_full_queue_refuses_stay_unsent_and_arrive_in_order_once_it_drains() -> None:
    """The subscriber's queue holds 3 (`reject-publish`): RabbitMQ nacks the rest, which stay
    unsent in the outbox (counted) and go again, while those it confirmed are marked sent, so
    the relay makes progress as room appears (it once resent the whole batch and never got past
    the bound); as the subscriber drains the queue, every event arrives, in order, and every
    row ends marked sent. Nothing is lost."""
    async with rig({"x-max-length": 3, "x-overflow": "reject-publish"}) as r:
        aggregate = str(uuid4())
        ids = [str(uuid4()) for _ in range(8)]
        async with r.engine.begin() as conn:
            await conn.execute(
                r.table.insert(),
                [
                    {
                        "message_id": message_id,
                        "routing_key": r.key,
                        "aggregate_id": aggregate,
                        "body": orjson.dumps({"seq": seq}).decode(),
                        "headers": {},
                        "created_at": datetime.now(UTC),
                    }
                    for seq, message_id in enumerate(ids)
                ],
            )
        refused_before = refused()
        relay = OutboxRelay(r.engine, r.table, EventPublisher(Settings().amqp_url), poll_s=0.1)
        running = asyncio.create_task(relay.run())
        try:
            await eventually(lambda: refused() > refused_before)
            # the three the queue took are marked sent; the rest wait for room
            assert await eventually_unsent(r, len(ids) - 3)
            seen: list[int] = []
            async with asyncio.timeout(30):
                while set(seen) != set(range(len(ids))):
                    message = await r.queue.get(no_ack=True, fail=False)
                    if message is None:
                        await asyncio.sleep(0.05)  # room again: the relay sends what is left
                    else:
                        seen.append(orjson.loads(message.body)["seq"])
            assert await eventually_unsent(r, 0)
            first_seen = list(dict.fromkeys(seen))
            assert first_seen == list(range(len(ids)))
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)


def refused() -> float:
    return REGISTRY.get_sample_value("apex_outbox_publish_refused_total") or 0.0


async def eventually(check: Any, timeout_s: float = 10.0) -> None:
    for _ in range(int(timeout_s / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not reached in time")


async def eventually_unsent(r: Rig, expected: int, timeout_s: float = 10.0) -> bool:
    for _ in range(int(timeout_s / 0.05)):
        if await unsent(r) == expected:
            return True
        await asyncio.sleep(0.05)
    return False


async def unsent(r: Rig) -> int:
    async with r.engine.connect() as conn:
        count = await conn.scalar(
            select(func.count()).select_from(r.table).where(r.table.c.sent_at.is_(None))
        )
    return int(count or 0)
