"""Webhooks end to end: register through the gateway, receive signed events on a local
receiver, retries, account isolation and the refusal of private targets."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aiohttp
import orjson
import pytest
from aiohttp import web
from sqlalchemy import text

from apex_contracts.documents import DocumentRendered
from apex_contracts.notifications import EmailSent
from apex_notifications.signing import verify
from apex_runtime.broker import EVENTS

from .conftest import System, bearer, client
from .helpers import call, confirms_too_late, create_project, task_done

WAIT = {"Prefer": "wait=10"}


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return orjson.loads(self.body)  # type: ignore[no-any-return]


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1; `answer(n)` is the status of its n-th request."""

    url: str
    deliveries: list[Delivery] = field(default_factory=list)
    answer: Callable[[int], int] = lambda n: 200
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    calls: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        status = self.answer(self.calls)
        if status < 300:
            self.deliveries.append(Delivery(dict(request.headers), await request.read()))
        self.changed.set()
        return web.Response(status=status)

    def of(self, event_type: str, key: str, value: str) -> list[Delivery]:
        return [
            d
            for d in self.deliveries
            if d.event["type"] == event_type and str(d.event["data"].get(key)) == value
        ]

    async def wait_for(
        self, event_type: str, key: str, value: str, timeout_s: float = 20
    ) -> Delivery:
        async with asyncio.timeout(timeout_s):
            while not self.of(event_type, key, value):
                self.changed.clear()
                await self.changed.wait()
        return self.of(event_type, key, value)[0]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    app = web.Application()
    runner = web.AppRunner(app, access_log=None)
    holder: list[Receiver] = []

    async def handle(request: web.Request) -> web.Response:
        return await holder[0].handle(request)

    app.router.add_post("/hook", handle)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    holder.append(Receiver(f"http://127.0.0.1:{port}/hook"))
    yield holder[0]
    await runner.cleanup()


@pytest.fixture
async def http(system: System) -> AsyncIterator[aiohttp.ClientSession]:
    """An admin of an account of its own: other tests' webhooks (e.g. the OpenAPI fuzzing's
    in account `demo`) neither count against its quota nor receive its events."""
    account = f"hooks-{uuid4().hex[:8]}"
    async with client(system, bearer(system.settings, account=account)) as session:
        yield session


async def register(
    http: aiohttp.ClientSession, url: str, events: list[str]
) -> tuple[int, dict[str, Any]]:
    status, body, _ = await call(http, "POST", "/webhooks", json={"url": url, "events": events})
    return status, body


async def delivery_tasks(system: System, webhook_id: str) -> list[str]:
    engine = system.services["notifications"].engine
    assert engine is not None
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT task_id FROM notifications.webhook_deliveries WHERE webhook_id = :id"),
            {"id": webhook_id},
        )
        return [r.task_id for r in rows]


async def until(read: Callable[[], Awaitable[list[str]]], timeout_s: float = 20) -> list[str]:
    """What `read` returns once it is not empty (the database has no event to wait on)."""
    async with asyncio.timeout(timeout_s):
        while not (found := await read()):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    return found


async def final_task(system: System, task_id: str, timeout_s: float = 30) -> Any:
    status = system.services["notifications"].status
    async with asyncio.timeout(timeout_s):
        while True:
            task = await status.get(task_id)
            if task is not None and task.state in ("SUCCESS", "FAILURE", "REVOKED"):
                return task
            await asyncio.sleep(0.02)


async def test_a_delivery_is_signed_with_the_secret_shown_once(
    system: System, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    status, body = await register(http, receiver.url, ["project.created"])
    assert status == 201, body
    created = body["result"]
    secret, webhook_id = created["secret"], created["webhook_id"]
    assert len(secret) >= 32 and created["events"] == ["project.created"]

    project_id = await create_project(http, name="Signed pylon")
    delivery = await receiver.wait_for("project.created", "project_id", project_id)
    signature = delivery.headers["X-Apex-Signature"]
    assert verify(secret, signature, delivery.body, now=time.time())
    assert not verify("x" * 43, signature, delivery.body, now=time.time())
    assert delivery.headers["X-Apex-Event-Id"] == delivery.event["id"]
    assert delivery.event["data"]["project"]["name"] == "Signed pylon"

    status, listed, _ = await call(http, "GET", "/webhooks")
    assert status == 200
    [mine] = [w for w in listed["result"]["items"] if w["webhook_id"] == webhook_id]
    assert "secret" not in mine and secret not in orjson.dumps(listed).decode()
    [task_id] = await delivery_tasks(system, webhook_id)
    task = await final_task(system, task_id)
    assert task.state == "SUCCESS" and task.result["outcome"] == "delivered"
    assert (await call(http, "DELETE", f"/webhooks/{webhook_id}", headers=WAIT))[0] == 200


async def test_a_receiver_failing_with_503_is_retried_with_back_off(
    system: System, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    receiver.answer = lambda n: 503 if n == 1 else 200
    status, body = await register(http, receiver.url, ["project.created"])
    assert status == 201, body
    webhook_id = body["result"]["webhook_id"]
    project_id = await create_project(http, name="Flaky receiver")
    await receiver.wait_for("project.created", "project_id", project_id)
    [task_id] = await delivery_tasks(system, webhook_id)
    task = await final_task(system, task_id)
    assert task.state == "SUCCESS" and task.attempts == 2 and receiver.calls == 2
    await call(http, "DELETE", f"/webhooks/{webhook_id}", headers=WAIT)


async def test_private_targets_are_refused_when_not_allowed(
    system: System, http: aiohttp.ClientSession, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, body = await register(http, receiver.url, ["project.created"])
    assert status == 201, body  # allowed in tests (APEX_WEBHOOK_ALLOW_PRIVATE)
    webhook_id = body["result"]["webhook_id"]

    monkeypatch.setattr(system.settings, "webhook_allow_private", False)
    for url in (receiver.url, "http://localhost:9/hook", "http://169.254.169.254/latest"):
        status, body = await register(http, url, ["project.created"])
        assert status == 422, body
        assert "address" in body["errors"][0]["message"]

    project_id = await create_project(http, name="Not delivered")
    tasks = await until(lambda: delivery_tasks(system, webhook_id))
    task = await final_task(system, tasks[0])
    assert task.state == "FAILURE" and task.attempts == 1  # refused at once, not retried
    assert task.error.code == "invalid" and "loopback" in task.error.message
    assert receiver.of("project.created", "project_id", project_id) == []
    monkeypatch.undo()
    await call(http, "DELETE", f"/webhooks/{webhook_id}", headers=WAIT)


async def test_registration_is_validated_and_roles_apply(
    system: System, http: aiohttp.ClientSession
) -> None:
    status, body = await register(http, "https://hooks.example.com/x", ["project.exploded"])
    assert status == 422 and body["errors"][0]["field"].startswith("events")
    status, body = await register(http, "ftp://hooks.example.com/x", ["project.created"])
    assert status == 422 and body["errors"][0]["field"].startswith("url")
    status, body = await register(http, "https://hooks.example.com/x", [])
    assert status == 422
    dup = ["project.created", "project.created"]
    assert (await register(http, "https://hooks.example.com/x", dup))[0] == 422
    async with client(system, bearer(system.settings, account="hooks-x", roles="viewer")) as viewer:
        assert (await register(viewer, "https://hooks.example.com/x", ["project.created"]))[
            0
        ] == 403
        assert (await call(viewer, "GET", "/webhooks"))[0] == 200


async def test_another_account_neither_sees_nor_deletes_a_webhook(
    system: System, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    status, body = await register(http, receiver.url, ["project.updated"])
    assert status == 201, body
    webhook_id = body["result"]["webhook_id"]
    async with client(system, bearer(system.settings, account="other")) as other:
        status, listed, _ = await call(other, "GET", "/webhooks")
        assert status == 200
        assert webhook_id not in [w["webhook_id"] for w in listed["result"]["items"]]
        status, _, _ = await call(other, "DELETE", f"/webhooks/{webhook_id}", headers=WAIT)
        assert status == 404
        project_id = await create_project(other, name="Other account's project")
    status, _, _ = await call(http, "DELETE", f"/webhooks/{webhook_id}", headers=WAIT)
    assert status == 200
    status, _, _ = await call(http, "DELETE", f"/webhooks/{webhook_id}", headers=WAIT)
    assert status == 404
    assert receiver.of("project.created", "project_id", project_id) == []


async def test_a_submissions_deliveries_are_children_of_its_task(
    system: System, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    lifecycle = ["project.submitted", "document.rendered", "notification.email_sent"]
    status, body = await register(http, receiver.url, lifecycle)
    assert status == 201, body
    webhook_id = body["result"]["webhook_id"]
    project_id = await create_project(http, name="Tree pylon", pm_email="pm@example.com")
    status, body, _ = await call(
        http, "POST", f"/projects/{project_id}/payload", headers=WAIT,
        json={"module": "signage.single_pole", "config": {"sign": {"overall_height_ft": 20}}},
    )  # fmt: skip
    assert status == 200, body
    status, body, _ = await call(http, "POST", f"/projects/{project_id}/submit")
    assert status == 202, body
    parent_id = body["result"]["task_id"]

    delivery = await receiver.wait_for("project.submitted", "project_id", project_id)
    assert delivery.event["data"]["parent_task_id"] == parent_id
    _, tree, _ = await call(http, "GET", f"/tasks/{parent_id}")
    hooks = [c for c in tree["result"]["children"] if c["kind"] == "webhook.deliver"]
    assert len(hooks) == 3  # every event of the submission is planned when it is accepted
    tasks = await until(lambda: delivery_tasks(system, webhook_id))
    task = await final_task(system, tasks[0])
    assert task.state == "SUCCESS" and task.parent_id == parent_id

    # Deleted before the later events: their planned tasks end as skipped, not stuck PENDING.
    assert (await call(http, "DELETE", f"/webhooks/{webhook_id}", headers=WAIT))[0] == 200
    rt = system.services["notifications"]
    account = task.account
    now, submission_id, document_id = datetime.now(UTC), uuid4(), "0" * 64
    later = {
        "document.rendered": DocumentRendered(
            document_id=document_id, project_id=project_id, submission_id=submission_id,
            account=account, actor="dev", occurred_at=now, pages=1, size_bytes=1,
            filename="x.pdf", url="/documents/x", project_name="Tree pylon", customer="Acme",
            pm_email=None, submission_number=1, submitted_by="dev", payload_sha256="0" * 64,
            engineering=False, parent_task_id=parent_id,
        ),  # pm_email None: notification-service sends no email for this stand-in
        "notification.email_sent": EmailSent(
            submission_id=submission_id, project_id=project_id, document_id=document_id,
            account=account, actor="dev", recipient="pm@example.com", subject="s", attached=True,
            smtp_message_id="<x@example.com>", parent_task_id=parent_id, occurred_at=now,
        ),
    }  # fmt: skip
    for event_type, event in later.items():
        await rt.broker.publish(
            event.model_dump_json().encode(), exchange=EVENTS, routing_key=event_type,
            message_id=str(uuid4()), headers={"x-apex-account": account, "x-apex-actor": "dev"},
            content_type="application/json", persist=True,
        )  # fmt: skip
    for hook in hooks:
        task = await final_task(system, hook["task_id"])
        assert task.state == "SUCCESS", task


async def test_a_registration_not_confirmed_in_time_is_504_and_still_shows_its_secret(
    system: System,
    http: aiohttp.ClientSession,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The register command reached RabbitMQ but its confirm came too late: the 504 names the
    task and carries the secret (shown once: the webhook may yet exist), and once the task
    settles, deliveries are signed with that very secret."""
    sent = confirms_too_late(monkeypatch)
    status, body = await register(http, receiver.url, ["project.created"])
    monkeypatch.undo()
    assert len(sent) == 1
    assert status == 504, body
    assert body["errors"][0]["type"] == "outcome_unknown"
    unknown = body["result"]
    secret, webhook_id = unknown["secret"], unknown["webhook_id"]
    task = await task_done(http, unknown["task_id"])
    assert task["state"] == "SUCCESS", task
    project_id = await create_project(http, name="Registered without a confirm")
    delivery = await receiver.wait_for("project.created", "project_id", project_id)
    assert verify(secret, delivery.headers["X-Apex-Signature"], delivery.body, now=time.time())
    assert (await call(http, "DELETE", f"/webhooks/{webhook_id}", headers=WAIT))[0] == 200
