"""Under broker flow control and overload, every answer matches what happens.

A command answered `503` never takes effect: it is refused before anything is sent while
RabbitMQ blocks publishers (a real memory alarm here) or leaves a command unconfirmed, when this
gateway has its most commands in flight, or when the command's queue is at its bound (a nack:
nothing enqueued). Reads that publish nothing keep working.
"""

import asyncio
import time
from typing import Any
from urllib.parse import quote
from uuid import uuid4

import aio_pika
import aiohttp
import pytest
from faststream.rabbit import QueueType, RabbitQueue
from multidict import CIMultiDict

from apex_contracts import topology as t
from apex_gateway.deps import DEPS
from apex_runtime import amqp_client
from apex_runtime.broker import work_queue
from apex_runtime.queue_arguments import QueueArgumentsChanged, redeclare_changed_queues
from apex_runtime.retry import delay_queue

from .broker_tools import (
    BOUND_PORT,
    memory_alarm,
    needs_rabbitmqctl,
    own_vhost,
    project_service,
    queue_length,
)
from .conftest import System, bearer
from .gateways import gateway_processes
from .helpers import call, create_project, metric, task_done

REFUSED = 'apex_gateway_commands_refused_total{{reason="{}"}}'


async def until(check: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def ready_status(http: aiohttp.ClientSession) -> tuple[int, dict[str, Any]]:
    status, body, _ = await call(http, "GET", "/ready")
    return status, body


async def names_found(http: aiohttp.ClientSession, marker: str) -> list[str]:
    status, body, _ = await call(http, "GET", f"/projects?q={quote(marker)}&limit=500")
    assert status == 200, body
    return sorted(p["name"] for p in body["result"]["items"])


async def refused_post(http: aiohttp.ClientSession, name: str) -> dict[str, Any]:
    """POST a project that must be refused at once: 503, Retry-After, within a second."""
    started = time.monotonic()
    status, body, headers = await call(
        http, "POST", "/projects", json={"name": name, "customer": "Flow Co"}
    )
    assert status == 503, body
    assert time.monotonic() - started < 1.0
    assert int(CIMultiDict(headers)["Retry-After"]) >= 1
    assert body["errors"][0]["type"] in ("unavailable", "busy"), body
    return body


@needs_rabbitmqctl
@pytest.mark.slow
async def test_while_rabbitmq_blocks_publishers_commands_are_refused_at_once_and_never_run(
    system: System, http: aiohttp.ClientSession
) -> None:
    """A memory alarm: `/ready` says why, each command is `503` in under a second with nothing
    sent, reads keep answering, and once the alarm clears none of the refused commands has
    run while a new one does."""
    marker = f"blocked-{uuid4().hex[:8]}"
    earlier = await create_project(http, name=f"{marker} before")  # the connection has published
    status, before, _ = await call(http, "GET", f"/projects/{earlier}")
    assert status == 200, before
    refused_before = await metric(http, system.base_url, REFUSED.format("broker_blocked"))
    with memory_alarm():

        async def not_ready() -> bool:
            return (await ready_status(http))[0] == 503

        await until(not_ready)
        _, ready = await ready_status(http)
        reasons = " ".join(e["message"] for e in ready["errors"])
        assert "blocking publishers" in reasons, ready
        assert await metric(http, system.base_url, "apex_gateway_broker_blocked") == 1
        for i in range(3):
            body = await refused_post(http, f"{marker} refused {i}")
            assert "blocking publishers" in body["errors"][0]["message"], body
        status, read, _ = await call(http, "GET", "/tasks/" + str(uuid4()))
        assert status == 404, read  # the task store still answers while RabbitMQ blocks
    refused = await metric(http, system.base_url, REFUSED.format("broker_blocked"))
    assert refused - refused_before == 3

    async def ready_again() -> bool:
        return (await ready_status(http))[0] == 200

    await until(ready_again)
    after = await create_project(http, name=f"{marker} after")
    assert after != earlier
    assert await names_found(http, marker) == [f"{marker} after", f"{marker} before"]


def stalled_confirms(monkeypatch: pytest.MonkeyPatch, hold_s: float) -> asyncio.Event:
    """The next command's confirm is held `hold_s` (as when RabbitMQ stops confirming), then
    it is published for real; the event is set once it is being held."""
    real_publish = amqp_client.publish_confirmed
    holding = asyncio.Event()

    async def held(*args: Any, **kwargs: Any) -> None:
        if not holding.is_set():
            holding.set()
            await asyncio.sleep(hold_s)
        await real_publish(*args, **kwargs)

    monkeypatch.setattr(amqp_client, "publish_confirmed", held)
    return holding


async def test_a_command_left_unconfirmed_stops_the_next_ones_until_it_is_confirmed(
    system: System, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a command has waited a second for its confirm, the next is refused at once
    (nothing sent) and `/ready` says so; the held one is answered truly once confirmed, the
    refused one never runs, and commands flow again after."""
    marker = f"stalled-{uuid4().hex[:8]}"
    holding = stalled_confirms(monkeypatch, hold_s=2.0)
    held = asyncio.create_task(
        call(http, "POST", "/projects", json={"name": f"{marker} held", "customer": "C"})
    )
    await holding.wait()
    await asyncio.sleep(amqp_client.STALLED_AFTER_S + 0.1)
    status, ready = await ready_status(http)
    assert status == 503 and "has not confirmed" in ready["errors"][0]["message"], ready
    body = await refused_post(http, f"{marker} refused")
    assert "has not confirmed" in body["errors"][0]["message"], body
    status, accepted, _ = await held
    assert status == 202, accepted
    task = await task_done(http, accepted["result"]["task_id"])
    assert task["state"] == "SUCCESS", task
    await create_project(http, name=f"{marker} after")
    assert await names_found(http, marker) == [f"{marker} after", f"{marker} held"]


async def test_beyond_the_commands_in_flight_a_command_is_refused_at_once_and_never_runs(
    system: System, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two commands in flight at most: of five sent at once while confirms are slow, two are
    accepted and made, three are `503` at once and never made, and the refusals are counted."""
    marker = f"shed-{uuid4().hex[:8]}"
    commands = system.app[DEPS].commands
    monkeypatch.setattr(commands, "limit", 2)
    real_publish = amqp_client.publish_confirmed

    async def slow(*args: Any, **kwargs: Any) -> None:
        await asyncio.sleep(0.5)
        await real_publish(*args, **kwargs)

    monkeypatch.setattr(amqp_client, "publish_confirmed", slow)
    before = await metric(http, system.base_url, REFUSED.format("in_flight"))
    answers = await asyncio.gather(
        *(
            call(http, "POST", "/projects", json={"name": f"{marker} {i}", "customer": "C"})
            for i in range(5)
        )
    )
    monkeypatch.undo()
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [202, 202, 503, 503, 503], answers
    for status, body, headers in answers:
        if status == 503:
            assert body["errors"][0]["type"] == "busy", body
            assert CIMultiDict(headers)["Retry-After"], headers
    made = [f"{marker} {i}" for i, (s, _, _) in enumerate(answers) if s == 202]
    for status, body, _ in answers:
        if status == 202:
            assert (await task_done(http, body["result"]["task_id"]))["state"] == "SUCCESS"
    after = await metric(http, system.base_url, REFUSED.format("in_flight"))
    assert after - before == 3
    assert commands.in_use == 0
    assert await names_found(http, marker) == sorted(made)


@needs_rabbitmqctl
@pytest.mark.slow
async def test_a_command_beyond_its_queue_bound_is_refused_and_nothing_is_enqueued(
    system: System, http: aiohttp.ClientSession
) -> None:
    """project-service declares its queue with a bound of 3 and stops; a gateway on that vhost
    accepts commands until the queue is full, then answers `503` at once (RabbitMQ nacked it):
    the queue holds exactly the accepted ones, and once project-service runs again exactly
    those are made. (A quorum queue can take one or a few past its bound before it refuses.)"""
    with own_vhost() as bound_vhost:
        marker = f"bound-{uuid4().hex[:8]}"
        async with project_service(system, bound_vhost, APEX_COMMAND_QUEUE_MAX_LENGTH="3"):
            pass
        me = bearer(system.settings)
        async with (
            gateway_processes([BOUND_PORT], amqp_url=bound_vhost) as (url,),
            aiohttp.ClientSession(base_url=url, headers=me) as gateway,
        ):
            accepted: dict[str, str] = {}  # name -> task id
            for i in range(6):
                name = f"{marker} {i}"
                status, body, _ = await call(
                    gateway, "POST", "/projects", json={"name": name, "customer": "C"}
                )
                if status != 202:
                    break
                accepted[name] = body["result"]["task_id"]
            assert len(accepted) in (3, 4), accepted
            body = await refused_post(gateway, f"{marker} refused")
            assert "at its bound" in body["errors"][0]["message"], body
            assert await metric(gateway, url, REFUSED.format("queue_full")) == 2
            assert await queue_length(bound_vhost, t.PROJECT_COMMANDS_QUEUE) == len(accepted)
            async with project_service(system, bound_vhost, APEX_COMMAND_QUEUE_MAX_LENGTH="3"):
                for task_id in accepted.values():
                    assert (await task_done(gateway, task_id, timeout_s=20))["state"] == "SUCCESS"
        assert await names_found(http, marker) == sorted(accepted)


@needs_rabbitmqctl
async def test_a_queue_whose_arguments_changed_is_declared_afresh_only_when_empty(
    system: System,
) -> None:
    """A queue declared by an earlier version with other arguments: RabbitMQ would refuse the
    new declaration. Empty, it is deleted and declared again with the new bound; holding a
    message, the start stops and says why, and the message is still there."""
    with own_vhost() as bound_vhost:
        name = f"apex.test.bounds.{uuid4().hex[:6]}"
        old = RabbitQueue(name, queue_type=QueueType.QUORUM)
        new = work_queue(name, name, system.settings, max_length=7)
        assert await redeclare_changed_queues(bound_vhost, [old]) == []  # declared as it was
        assert await redeclare_changed_queues(bound_vhost, [new]) == [name]  # empty: renewed
        assert await redeclare_changed_queues(bound_vhost, [new]) == []  # now as declared
        connection = await aio_pika.connect(bound_vhost)
        async with connection:
            channel = await connection.channel()
            await channel.default_exchange.publish(aio_pika.Message(b"{}"), routing_key=name)
        with pytest.raises(QueueArgumentsChanged, match="holds 1 messages"):
            await redeclare_changed_queues(bound_vhost, [old])
        assert await queue_length(bound_vhost, name) == 1


@needs_rabbitmqctl
async def test_a_retry_returning_to_a_full_queue_is_not_lost(system: System) -> None:
    """A failed message waits in a (classic) delay queue and is dead-lettered back into its
    queue; RabbitMQ lets a dead-lettered message in past the bound (only publishes are
    refused), so a retry is never dropped by a full queue. Pinned here because a quorum delay
    queue with at-least-once dead-lettering was seen to drop it."""
    with own_vhost() as amqp_url:
        name = f"apex.test.retry.{uuid4().hex[:6]}"
        bounded = work_queue(name, name, system.settings, max_length=2)
        delay = delay_queue(name, 1)
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            for queue in (bounded, delay):
                await channel.declare_queue(queue.name, durable=True, arguments=queue.arguments)
            filled = 0
            with pytest.raises(aio_pika.exceptions.DeliveryError):
                for _ in range(10):  # until RabbitMQ refuses: the queue is full
                    await channel.default_exchange.publish(
                        aio_pika.Message(b"first"), routing_key=name
                    )
                    filled += 1
            await channel.default_exchange.publish(
                aio_pika.Message(b"retry"), routing_key=delay.name
            )
            await asyncio.sleep(2.0)  # the delay (1 s) ends while the queue is still full
            assert await queue_length(amqp_url, name) == filled + 1
            assert await queue_length(amqp_url, delay.name) == 0
            queue = await channel.get_queue(name)
            bodies = [(await queue.get(no_ack=True)).body for _ in range(filled + 1)]
            assert bodies.count(b"first") == filled and bodies[-1] == b"retry", bodies
