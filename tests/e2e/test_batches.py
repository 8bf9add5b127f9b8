"""project-service's batched consumer on the real broker, database and task store.

A batch is composed by hand where its composition is the point: the messages are taken from a
queue of the test's own with `get()` (real deliveries, acked on the broker) and handed to the
service's consumer as one batch.
"""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import aio_pika
import aiohttp
import orjson
import pytest
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue

from apex_contracts import topology as t
from apex_runtime.batches import BatchConsumer
from apex_runtime.unit_of_work import Incoming, Transaction

from .conftest import System
from .helpers import audit_types, call, create_project, task_done
from .test_delivery import HEADERS, dead_letter_for, new_task


def consumer_of(system: System) -> BatchConsumer:
    return system.services["projects"].consumers[t.PROJECT_COMMANDS_QUEUE]


Held = tuple[aio_pika.abc.AbstractChannel, AbstractQueue]


@asynccontextmanager
async def holding_queue(system: System, *, settled: bool = True) -> AsyncIterator[Held]:
    """A queue of the test's own; with `settled`, every message taken from it must be acked
    (once the channel closes, an unacked one would be back in the queue)."""
    name = f"test.batches.{uuid4().hex}"
    connection = await aio_pika.connect(system.settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        yield channel, await channel.declare_queue(name, auto_delete=False)
    async with await aio_pika.connect(system.settings.amqp_url) as connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(name, passive=True)
        left = queue.declaration_result.message_count
        await queue.delete(if_unused=False, if_empty=False)
    if settled:
        assert left == 0, f"{left} messages were not acked"


async def take(
    channel: aio_pika.abc.AbstractChannel,
    queue: AbstractQueue,
    commands: Sequence[tuple[str, bytes, str]],
    message_ids: Sequence[str] = (),
) -> list[AbstractIncomingMessage]:
    """Publish (routing key, body, task id) each, then take them back as real deliveries."""
    ids = list(message_ids) or [str(uuid4()) for _ in commands]
    for (routing_key, body, task_id), message_id in zip(commands, ids, strict=True):
        await channel.default_exchange.publish(
            aio_pika.Message(
                body,
                message_id=message_id,
                correlation_id=task_id,
                headers={**HEADERS, t.HEADER_ROUTING_KEY: routing_key},
                content_type="application/json",
            ),
            queue.name,
        )
    taken = []
    for _ in commands:
        message = await queue.get(no_ack=False, timeout=5)
        assert message is not None
        taken.append(message)
    return taken


def create(project_id: str, name: str = "Batched") -> bytes:
    return orjson.dumps({"project_id": project_id, "name": name, "customer": "Acme"})


async def test_a_message_that_does_not_validate_is_dead_lettered_and_its_batch_mates_take_effect(
    http: aiohttp.ClientSession, system: System
) -> None:
    projects = [str(uuid4()) for _ in range(4)]
    tasks = [await new_task(system, "project.create") for _ in range(5)]
    commands = [
        (t.PROJECT_CREATE, create(p), task) for p, task in zip(projects, tasks, strict=False)
    ]
    commands.insert(2, (t.PROJECT_CREATE, b'{"name": 5}', tasks[4]))
    async with holding_queue(system) as (channel, queue):
        batch = await take(channel, queue, commands)
        await consumer_of(system).handle(batch)
    for project_id, task_id in zip(projects, tasks, strict=False):
        task = await task_done(http, task_id)
        assert task["state"] == "SUCCESS" and task["result"]["project_id"] == project_id
    refused = await task_done(http, tasks[4])
    assert refused["state"] == "FAILURE" and refused["error"]["code"] == "invalid"
    assert "customer" in refused["error"]["message"]
    headers = await dead_letter_for(system, tasks[4])
    assert headers is not None and "invalid message" in str(headers["x-apex-error"])


async def test_a_failed_batch_is_run_again_message_by_message_with_no_attempt_spent(
    http: aiohttp.ClientSession, system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    consumer = consumer_of(system)
    real_work = consumer.work
    failed: list[int] = []

    async def fails_once(batch: Sequence[Incoming], tx: Transaction) -> list[Any]:
        if len(batch) > 1 and not failed:
            failed.append(len(batch))
            await real_work(batch, tx)  # the writes happen, then the transaction fails
            raise ConnectionResetError("injected: the batch's transaction failed")
        return await real_work(batch, tx)

    monkeypatch.setattr(consumer, "work", fails_once)
    projects = [str(uuid4()) for _ in range(5)]
    tasks = [await new_task(system, "project.create") for _ in projects]
    async with holding_queue(system) as (channel, queue):
        batch = await take(
            channel,
            queue,
            [(t.PROJECT_CREATE, create(p), task) for p, task in zip(projects, tasks, strict=True)],
        )
        await consumer.handle(batch)
    assert failed == [5]
    for project_id, task_id in zip(projects, tasks, strict=True):
        task = await task_done(http, task_id)
        assert task["state"] == "SUCCESS", task
        assert task["attempts"] == 1 and task["next_attempt_at"] is None  # no retry scheduled
        types = await audit_types(http, project_id, {"project.created"})
        assert types.count("project.created") == 1


async def test_the_same_message_twice_in_one_batch_takes_effect_once(
    http: aiohttp.ClientSession, system: System
) -> None:
    project_id = await create_project(http, "Twice in a batch")
    again = str(uuid4())
    update = orjson.dumps(
        {"project_id": project_id, "name": "Renamed", "customer": "Acme", "expected_version": 1}
    )
    twin = str(uuid4())
    tasks = [await new_task(system, "project.update") for _ in range(2)]
    tasks += [await new_task(system, "project.create") for _ in range(2)]
    async with holding_queue(system) as (channel, queue):
        batch = await take(
            channel,
            queue,
            [
                (t.PROJECT_UPDATE, update, tasks[0]),
                (t.PROJECT_UPDATE, update, tasks[1]),
                (t.PROJECT_CREATE, create(twin), tasks[2]),
                (t.PROJECT_CREATE, create(twin), tasks[3]),
            ],
            [again, again, str(uuid4()), str(uuid4())],
        )
        await consumer_of(system).handle(batch)
    updated = [await task_done(http, task) for task in tasks[:2]]
    assert [u["result"]["version"] for u in updated] == [2, 2]  # applied once, answered twice
    created = [await task_done(http, task) for task in tasks[2:]]
    assert [c["state"] for c in created] == ["SUCCESS", "SUCCESS"]
    assert created[0]["result"] == created[1]["result"]
    status, body, _ = await call(http, "GET", f"/projects/{project_id}")
    assert status == 200 and body["result"]["version"] == 2
    assert (await audit_types(http, twin, {"project.created"})).count("project.created") == 1


async def test_a_redelivered_message_is_handled_alone(system: System) -> None:
    nothing: Any = None  # only its batching is used: no connection, store or handler
    consumer = BatchConsumer(
        "q", "x", "amqp://", nothing, nothing, nothing, prefetch=1, batch_max=100, batch_wait_s=0
    )
    async with holding_queue(system, settled=False) as (channel, queue):
        first, again, last = await take(
            channel, queue, [(t.PROJECT_CREATE, create(str(uuid4())), "") for _ in range(3)]
        )
        await again.nack(requeue=True)
        redelivered = await queue.get(no_ack=False, timeout=5)
        assert redelivered is not None and redelivered.redelivered
        fresh = await take(channel, queue, [(t.PROJECT_CREATE, create(str(uuid4())), "")])
        for message in [first, redelivered, last, *fresh]:
            consumer.buffer.add(message)
        batches = [await consumer.buffer.next_batch() for _ in range(3)]
        assert batches == [[first], [redelivered], [last, *fresh]]
        assert len(consumer.buffer) == 0


async def test_fifty_updates_in_one_burst_apply_in_order_and_each_if_match_is_honoured(
    http: aiohttp.ClientSession, system: System
) -> None:
    project_id = await create_project(http, "Burst")
    accepted = []
    for version in range(1, 51):  # sent one after another, none waited for
        headers = {"If-Match": f'"{version}"'}
        body = {"name": f"Burst {version + 1}", "customer": "Acme"}
        status, envelope, _ = await call(
            http, "PUT", f"/projects/{project_id}", json=body, headers=headers
        )
        assert status == 202, envelope
        accepted.append(envelope["result"]["task_id"])
    stale_status, stale, _ = await call(
        http,
        "PUT",
        f"/projects/{project_id}",
        json={"name": "Stale", "customer": "Acme"},
        headers={"If-Match": '"1"'},
    )
    assert stale_status == 202, stale
    results = [await task_done(http, task_id) for task_id in accepted]
    assert [r["state"] for r in results] == ["SUCCESS"] * 50
    assert [r["result"]["version"] for r in results] == list(range(2, 52))
    refused = await task_done(http, stale["result"]["task_id"])
    assert refused["state"] == "FAILURE" and refused["error"]["code"] == "version_conflict"
    status, body, _ = await call(http, "GET", f"/projects/{project_id}")
    assert status == 200 and body["result"]["version"] == 51
    assert body["result"]["name"] == "Burst 51"
    for _ in range(200):
        entries = await audit_entries(http, project_id, "project.updated")
        if len(entries) == 50:
            break
        await asyncio.sleep(0.05)
    assert [e["payload"]["project"]["version"] for e in entries] == list(range(2, 52))


async def audit_entries(
    http: aiohttp.ClientSession, project_id: str, routing_key: str
) -> list[dict[str, Any]]:
    status, body, _ = await call(http, "GET", f"/audit?project_id={project_id}&limit=500")
    assert status == 200, body
    entries = [e for e in body["result"]["items"] if e["routing_key"] == routing_key]
    return sorted(entries, key=lambda e: e["sequence"])


async def test_events_committed_but_not_published_are_swept_and_take_effect_once(
    http: aiohttp.ClientSession, system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies between commit and publish: the relay's sweep publishes the rows."""
    relay = system.services["projects"].consumers[t.PROJECT_COMMANDS_QUEUE].uow.relay
    dropped: list[int] = []

    async def dies_before_publishing(rows: Sequence[Any]) -> None:
        dropped.append(len(rows))

    monkeypatch.setattr(relay, "publish_committed", dies_before_publishing)
    monkeypatch.setattr(relay, "sweep_after_s", 0.5)
    ids = [await create_project(http, f"Swept {i}") for i in range(3)]
    assert sum(dropped) == 3
    for project_id in ids:
        types = await audit_types(http, project_id, {"project.created"})
        assert types.count("project.created") == 1
    await asyncio.sleep(1.5)  # further sweeps publish nothing twice
    for project_id in ids:
        types = await audit_types(http, project_id, {"project.created"})
        assert types.count("project.created") == 1
