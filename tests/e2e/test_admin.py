"""`/admin`: the system's status from every service's heartbeat and every queue, and the
account's dead letters, read and replayed through the gateway (real RabbitMQ and Redis)."""

import asyncio
import sys
from typing import Any
from uuid import uuid4

import aio_pika
import aiohttp
import pytest
from aio_pika.message import IncomingMessage

from apex_contracts import topology as t
from apex_runtime.amqp_client import BrokerClient, BrokerUnavailable

from .conftest import System, bearer, client
from .helpers import call
from .test_audit_security import audit_entries
from .test_retries import Echo, Flaky, fragile  # noqa: F401 (the fixture)


async def test_status_lists_every_service_ready_and_every_queue(
    http: aiohttp.ClientSession,
) -> None:
    for _ in range(50):  # a service restarted by an earlier test says so within a second
        status, body, _ = await call(http, "GET", "/admin/status")
        assert status == 200, body
        found = body["result"]
        services = {s["name"]: s for s in found["services"]}
        assert set(t.SERVICES) <= set(services)
        if all(services[name]["ready"] for name in t.SERVICES):
            break
        await asyncio.sleep(0.1)
    for name in t.SERVICES:
        assert services[name]["ready"], services[name]
        assert services[name]["instances"], name
    queues = {q["name"]: q for q in found["queues"]}
    assert queues[t.PROJECT_COMMANDS_QUEUE]["consumers"] >= 1
    assert queues[t.PROJECT_COMMANDS_QUEUE]["messages"] >= 0
    assert "signage-service.query.signage.single_pole.design" in queues
    assert found["dead_letters"] == queues[t.DEAD_LETTER_QUEUE]["messages"]
    assert found["broker"] == {"blocked": False, "reason": None}


async def test_admin_routes_need_the_admin_role(system: System) -> None:
    engineer = bearer(system.settings, sub="eng", roles="engineer")
    async with client(system, engineer) as http:
        for method, path in (
            ("GET", "/admin/status"),
            ("GET", "/admin/dead-letters"),
            ("POST", f"/admin/dead-letters/{uuid4()}/replay"),
        ):
            status, body, _ = await call(http, method, path)
            assert status == 403, (path, body)


async def parked(fragile: Flaky, value: str) -> str:  # noqa: F811
    """A task whose message ran out of attempts and is now a dead letter."""

    async def always_fail(call: int) -> Echo:
        raise RuntimeError("still broken")

    fragile.behaviour = always_fail
    task_id = await fragile.send(value)
    assert (await fragile.states_until_final(task_id))[-1] == "FAILURE"
    return task_id


async def until(check: object, timeout_s: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "not in time"
        await asyncio.sleep(0.02)


async def test_a_dead_letter_is_shown_and_replayed_once(
    system: System,
    http: aiohttp.ClientSession,
    fragile: Flaky,  # noqa: F811
) -> None:
    task_id = await parked(fragile, "b")
    status, body, _ = await call(http, "GET", f"/admin/dead-letters?queue={fragile.queue}")
    assert status == 200, body
    (letter,) = body["result"]["items"]
    assert body["result"]["total"] == 1
    assert letter["task_id"] == task_id and letter["queue"] == fragile.queue
    assert "out of attempts" in letter["reason"]
    assert letter["body_encoding"] == "utf-8" and '"b"' in letter["body"]
    assert letter["account"] == "demo" and letter["headers"]["x-apex-actor"] == "dev"
    status, body, _ = await call(http, "GET", "/admin/dead-letters?reason=OUT+OF+ATTEMPTS")
    assert letter["id"] in {item["id"] for item in body["result"]["items"]}
    async with client(system, bearer(system.settings, account=f"x-{uuid4()}")) as stranger:
        status, body, _ = await call(stranger, "GET", f"/admin/dead-letters?queue={fragile.queue}")
        assert status == 200 and body["result"] == {"items": [], "total": 0}
        status, _, _ = await call(stranger, "POST", f"/admin/dead-letters/{letter['id']}/replay")
        assert status == 404  # another account's is not there for it

    async def now_works(call: int) -> Echo:
        return Echo(value="recovered")

    fragile.behaviour = now_works
    status, body, _ = await call(http, "POST", f"/admin/dead-letters/{letter['id']}/replay")
    assert status == 200, body
    assert body["result"]["replayed"] == [{"id": letter["id"], "queue": fragile.queue}]
    assert body["assumptions"] == []
    await until(lambda: fragile.successes)
    await asyncio.sleep(0.3)
    assert fragile.successes == ["b"]  # handled, exactly once
    match = {"dead_letter_id": letter["id"]}
    (entry,) = await audit_entries(system, "demo", t.DEAD_LETTER_REPLAYED, match)
    assert entry["actor"] == "dev"  # the operator who replayed it, in the audit log
    assert entry["payload"]["queue"] == fragile.queue
    assert entry["payload"]["task_id"] == task_id
    assert entry["payload"]["routing_key"] == letter["routing_key"]
    status, body, _ = await call(http, "GET", f"/admin/dead-letters?queue={fragile.queue}")
    assert body["result"]["items"] == []
    status, body, _ = await call(http, "POST", f"/admin/dead-letters/{letter['id']}/replay")
    assert status == 404, body


async def test_replay_all_of_one_queue(
    system: System,
    http: aiohttp.ClientSession,
    fragile: Flaky,  # noqa: F811
) -> None:
    for value in ("x", "y"):
        await parked(fragile, value)

    async def now_works(call: int) -> Echo:
        return Echo(value="ok")

    fragile.behaviour = now_works
    status, body, _ = await call(
        http, "POST", "/admin/dead-letters/replay", json={"queue": fragile.queue}
    )
    assert status == 200, body
    assert [r["queue"] for r in body["result"]["replayed"]] == [fragile.queue] * 2
    await until(lambda: len(fragile.successes) == 2)
    assert sorted(fragile.successes) == ["x", "y"]
    for replayed in body["result"]["replayed"]:
        match = {"dead_letter_id": replayed["id"]}
        assert len(await audit_entries(system, "demo", t.DEAD_LETTER_REPLAYED, match)) == 1


async def test_bad_admin_requests_are_refused_and_change_nothing(
    http: aiohttp.ClientSession,
) -> None:
    for query, field in (("limit=0", "limit"), ("limit=501", "limit"), ("colour=red", "colour")):
        status, body, _ = await call(http, "GET", f"/admin/dead-letters?{query}")
        assert status == 422 and body["errors"][0]["field"] == field, body
    for payload, field in (({"queue": 5}, "queue"), ({"queue": ""}, "queue"), ({"q": 1}, "q")):
        status, body, _ = await call(http, "POST", "/admin/dead-letters/replay", json=payload)
        assert status == 422 and body["errors"][0]["field"] == field, body
    status, body, _ = await call(http, "POST", "/admin/dead-letters/no-such-letter/replay")
    assert status == 404, body


async def test_apex_status_prints_the_same_in_one_table(http: aiohttp.ClientSession) -> None:
    status, body, _ = await call(http, "GET", "/admin/status")
    assert status == 200, body
    dead = body["result"]["dead_letters"]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "apex_runtime.cli", "status",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    text = out.decode()
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}
    for name in t.SERVICES:
        assert rows[name][:2] == ["yes", "1"], text
    assert rows[t.PROJECT_COMMANDS_QUEUE][1] == "1", text  # its consumer
    assert f"dead letters: {dead}" in text
    assert process.returncode == (0 if dead == 0 else 1), text


async def parked_then_mended(
    http: aiohttp.ClientSession,
    fragile: Flaky,  # noqa: F811
    value: str,
) -> dict[str, Any]:
    """The one dead letter of a message parked while its handler failed, the handler now
    working again."""
    await parked(fragile, value)

    async def now_works(call: int) -> Echo:
        return Echo(value="recovered")

    fragile.behaviour = now_works
    status, body, _ = await call(http, "GET", f"/admin/dead-letters?queue={fragile.queue}")
    assert status == 200, body
    (letter,) = body["result"]["items"]
    return letter


async def test_a_replay_confirmed_before_rabbitmq_fails_is_answered_as_done(
    http: aiohttp.ClientSession,
    fragile: Flaky,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The copy is confirmed, then removing the dead letter fails: the answer is not a 503
    (the replay took effect), it says the dead letter may be listed again, and it is."""
    letter = await parked_then_mended(http, fragile, "late")

    async def broken_ack(self: IncomingMessage, multiple: bool = False) -> None:
        raise aio_pika.exceptions.ChannelInvalidStateError("the channel went away")

    monkeypatch.setattr(IncomingMessage, "ack", broken_ack)
    status, body, _ = await call(http, "POST", f"/admin/dead-letters/{letter['id']}/replay")
    monkeypatch.undo()
    assert status == 200, body
    assert body["result"]["replayed"] == [{"id": letter["id"], "queue": fragile.queue}]
    assert "listed again" in body["assumptions"][0]
    await until(lambda: fragile.successes)
    assert fragile.successes == ["late"]  # the replay ran
    status, body, _ = await call(http, "GET", f"/admin/dead-letters?queue={fragile.queue}")
    assert [item["id"] for item in body["result"]["items"]] == [letter["id"]]  # as said


async def test_a_replay_whose_audit_event_is_refused_says_so_and_still_runs(
    system: System,
    http: aiohttp.ClientSession,
    fragile: Flaky,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The replay is confirmed before its `operator.dead_letter_replayed` event is sent: when
    RabbitMQ refuses the event, the answer is still the replay's (it runs), and it says the
    audit log lacks it, which it does."""
    letter = await parked_then_mended(http, fragile, "unaudited")

    async def refused(self: BrokerClient, *args: object, **kwargs: object) -> None:
        raise BrokerUnavailable("injected: event not confirmed")

    monkeypatch.setattr(BrokerClient, "publish_event", refused)
    status, body, _ = await call(http, "POST", f"/admin/dead-letters/{letter['id']}/replay")
    monkeypatch.undo()
    assert status == 200, body
    assert body["result"]["replayed"] == [{"id": letter["id"], "queue": fragile.queue}]
    (note,) = body["assumptions"]
    assert "not recorded in the audit log" in note and letter["id"] in note
    await until(lambda: fragile.successes)
    assert fragile.successes == ["unaudited"]  # the replay ran
    match = {"dead_letter_id": letter["id"]}
    assert await audit_entries(system, "demo", t.DEAD_LETTER_REPLAYED, match, wait_s=2) == []
