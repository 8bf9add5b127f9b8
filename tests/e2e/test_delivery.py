"""At-least-once delivery with one effect: redelivery, poison messages, unknown commands."""

import asyncio
from uuid import uuid4

import aio_pika
import aiohttp
import orjson

from apex_contracts.tasks import FINAL_STATES, TaskState

from .conftest import System
from .helpers import audit_types, call, task_done

HEADERS = {"x-apex-account": "demo", "x-apex-actor": "dev"}


async def publish_raw(
    system: System,
    routing_key: str,
    body: bytes,
    *,
    task_id: str,
    message_id: str,
    headers: dict[str, str] = HEADERS,
) -> None:
    connection = await aio_pika.connect(system.settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("apex.commands")
        await exchange.publish(
            aio_pika.Message(
                body,
                message_id=message_id,
                correlation_id=task_id,
                headers=dict(headers),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key,
        )


async def new_task(system: System, kind: str, account: str = "demo") -> str:
    task_id = str(uuid4())
    await system.services["projects"].status.create(task_id, kind, account, "dev")
    return task_id


async def test_a_redelivered_command_takes_effect_once(
    http: aiohttp.ClientSession, system: System
) -> None:
    project_id = str(uuid4())
    body = orjson.dumps({"project_id": project_id, "name": "Once", "customer": "Acme"})
    message_id = str(uuid4())
    first = await new_task(system, "project.create")
    await publish_raw(system, "project.create", body, task_id=first, message_id=message_id)
    assert (await task_done(http, first))["state"] == "SUCCESS"
    second = await new_task(system, "project.create")
    await publish_raw(system, "project.create", body, task_id=second, message_id=message_id)
    again = await task_done(http, second)
    assert again["state"] == "SUCCESS"
    assert again["result"]["project_id"] == project_id
    await audit_types(http, project_id, {"project.created"})
    await asyncio.sleep(0.2)
    types = await audit_types(http, project_id, {"project.created"})
    assert types.count("project.created") == 1  # (the accepted commands are audited too)


async def test_a_create_sent_again_under_a_new_message_id_answers_the_same_project(
    http: aiohttp.ClientSession, system: System
) -> None:
    project_id = str(uuid4())
    body = orjson.dumps({"project_id": project_id, "name": "Twice", "customer": "Acme"})
    results = []
    for _ in range(2):  # a client retrying without an Idempotency-Key, say
        task_id = await new_task(system, "project.create")
        await publish_raw(system, "project.create", body, task_id=task_id, message_id=str(uuid4()))
        task = await task_done(http, task_id)
        assert task["state"] == "SUCCESS", task
        results.append(task["result"])
    assert results[0] == results[1]
    assert results[0]["project_id"] == project_id and results[0]["version"] == 1
    await asyncio.sleep(0.2)
    types = await audit_types(http, project_id, {"project.created"})
    assert types.count("project.created") == 1


async def test_a_project_id_of_another_account_is_a_conflict(
    http: aiohttp.ClientSession, system: System
) -> None:
    project_id = str(uuid4())
    body = orjson.dumps({"project_id": project_id, "name": "Mine", "customer": "Acme"})
    ours = await new_task(system, "project.create")
    await publish_raw(system, "project.create", body, task_id=ours, message_id=str(uuid4()))
    assert (await task_done(http, ours))["state"] == "SUCCESS"
    theirs = await new_task(system, "project.create", account="globex")
    headers = {"x-apex-account": "globex", "x-apex-actor": "eve"}
    await publish_raw(
        system, "project.create", body, task_id=theirs, message_id=str(uuid4()), headers=headers
    )
    status = system.services["projects"].status
    for _ in range(500):  # (a task of account globex: read from the store, not via demo's API)
        task = await status.get(theirs)
        if task is not None and task.state in FINAL_STATES:
            break
        await asyncio.sleep(0.02)
    assert task is not None and task.state is TaskState.FAILURE, task
    assert task.error is not None and task.error.code == "conflict"
    code, mine, _ = await call(http, "GET", f"/projects/{project_id}")
    assert code == 200 and mine["result"]["name"] == "Mine"


async def test_invalid_command_fails_its_task_and_is_dead_lettered(
    http: aiohttp.ClientSession, system: System
) -> None:
    task_id = await new_task(system, "project.create")
    await publish_raw(
        system, "project.create", b'{"name": 5}', task_id=task_id, message_id=str(uuid4())
    )
    task = await task_done(http, task_id)
    assert task["state"] == "FAILURE"
    assert task["error"]["code"] == "invalid"
    assert "customer" in task["error"]["message"]
    assert await dead_letter_for(system, task_id) is not None


async def test_unknown_command_fails_its_task_and_is_dead_lettered(
    http: aiohttp.ClientSession, system: System
) -> None:
    task_id = await new_task(system, "project.frobnicate")
    await publish_raw(system, "project.frobnicate", b"{}", task_id=task_id, message_id=str(uuid4()))
    task = await task_done(http, task_id)
    assert task["state"] == "FAILURE" and "no handler" in task["error"]["message"]
    headers = await dead_letter_for(system, task_id)
    assert headers is not None and "no handler" in str(headers["x-apex-error"])


async def test_cancelled_task_is_not_executed(http: aiohttp.ClientSession, system: System) -> None:
    project_id = str(uuid4())
    task_id = await new_task(system, "project.create")
    status, body, _ = await call(http, "DELETE", f"/tasks/{task_id}")
    assert status == 200 and body["result"]["state"] == "REVOKED"
    body_bytes = orjson.dumps({"project_id": project_id, "name": "Never", "customer": "Acme"})
    await publish_raw(
        system, "project.create", body_bytes, task_id=task_id, message_id=str(uuid4())
    )
    await asyncio.sleep(0.3)
    status, _, _ = await call(http, "GET", f"/projects/{project_id}")
    assert status == 404
    status, body, _ = await call(http, "DELETE", f"/tasks/{task_id}")
    assert status == 409


async def dead_letter_for(system: System, task_id: str) -> dict[str, object] | None:
    """The headers of the dead letter for `task_id`, requeueing the others untouched."""
    connection = await aio_pika.connect(system.settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue("apex.dead-letters")
        for _ in range(50):
            held = []
            found = None
            while True:
                message = await queue.get(fail=False, no_ack=False)
                if message is None:
                    break
                held.append(message)
                if message.correlation_id == task_id:
                    found = dict(message.headers)
                    await message.ack()
            for message in held:
                if message.correlation_id != task_id:
                    await message.nack(requeue=True)
            if found is not None:
                return found
            await asyncio.sleep(0.05)
    return None
