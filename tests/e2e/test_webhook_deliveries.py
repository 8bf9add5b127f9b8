"""The deliveries view end to end: list a webhook's deliveries, retry one now, ping a webhook;
every receiver here is a real HTTP server on 127.0.0.1 and every POST is checked for its
signature."""

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from apex_notifications.signing import verify

from .conftest import System, bearer, client
from .helpers import call, create_project, task_done
from .test_webhooks import Delivery, Receiver, register

WAIT = {"Prefer": "wait=10"}


class HeldReceiver(Receiver):
    """A receiver whose requests wait while `held` is clear (an attempt caught in flight)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.held = asyncio.Event()
        self.held.set()
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.arrived.set()
        await self.held.wait()
        return await super().handle(request)

    def signed_by(self, secret: str) -> list[Delivery]:
        return [
            d
            for d in self.deliveries
            if verify(secret, d.headers["X-Apex-Signature"], d.body, now=time.time())
        ]


@pytest.fixture
async def receiver() -> AsyncIterator[HeldReceiver]:
    app = web.Application()
    holder: list[HeldReceiver] = []

    async def handle(request: web.Request) -> web.Response:
        return await holder[0].handle(request)

    app.router.add_post("/hook", handle)
    async with TestServer(app, host="127.0.0.1") as server:
        holder.append(HeldReceiver(str(server.make_url("/hook"))))
        yield holder[0]


@pytest.fixture
def account() -> str:
    return f"deliveries-{uuid4().hex[:8]}"


@pytest.fixture
async def http(system: System, account: str) -> AsyncIterator[aiohttp.ClientSession]:
    """An admin of an account of its own, so its deliveries are only this test's."""
    async with client(system, bearer(system.settings, account=account)) as session:
        yield session


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (a receiver that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


async def new_webhook(http: aiohttp.ClientSession, url: str, events: list[str]) -> dict[str, Any]:
    status, body = await register(http, url, events)
    assert status == 201, body
    return body["result"]  # type: ignore[no-any-return]


async def deliveries(
    http: aiohttp.ClientSession, webhook_id: str, query: str = ""
) -> list[dict[str, Any]]:
    status, body, _ = await call(http, "GET", f"/webhooks/{webhook_id}/deliveries{query}")
    assert status == 200, body
    return body["result"]["items"]  # type: ignore[no-any-return]


async def one_delivery(
    http: aiohttp.ClientSession, webhook_id: str, until: Any, timeout_s: float = 30
) -> dict[str, Any]:
    """The webhook's only delivery, once `until(delivery)` holds."""
    async with asyncio.timeout(timeout_s):
        while True:
            items = await deliveries(http, webhook_id)
            if len(items) == 1 and until(items[0]):
                return items[0]
            await asyncio.sleep(0.1)


async def ping(
    http: aiohttp.ClientSession, webhook_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ping's answer (202) and its task once final."""
    status, body, _ = await call(http, "POST", f"/webhooks/{webhook_id}/ping")
    assert status == 202, body
    return body["result"], await task_done(http, body["result"]["task_id"], timeout_s=20)


async def test_ping_arrives_signed_as_webhook_ping_and_is_listed(
    http: aiohttp.ClientSession, receiver: HeldReceiver
) -> None:
    hook = await new_webhook(http, receiver.url, ["project.deleted"])
    status, body, _ = await call(http, "POST", f"/webhooks/{hook['webhook_id']}/ping")
    assert status == 202, body
    accepted = body["result"]
    assert accepted["webhook_id"] == hook["webhook_id"]
    task = await task_done(http, accepted["task_id"])
    assert task["state"] == "SUCCESS", task
    assert task["kind"] == "webhook.ping"
    [attempt] = task["children"]  # the one attempt, on the deliveries queue
    assert attempt["kind"] == "webhook.deliver" and attempt["state"] == "SUCCESS"

    [delivery] = receiver.signed_by(hook["secret"])
    event = delivery.event
    assert event["type"] == "webhook.ping" == delivery.headers["X-Apex-Event-Type"]
    assert event["id"] == accepted["event_id"] == delivery.headers["X-Apex-Event-Id"]
    assert event["data"]["webhook_id"] == hook["webhook_id"]
    [listed] = await deliveries(http, hook["webhook_id"])
    assert listed["delivery_id"] == accepted["delivery_id"]
    assert listed["event_id"] == accepted["event_id"] and listed["event_type"] == "webhook.ping"
    assert listed["status"] == "delivered" and listed["attempts"] == 1
    assert listed["last_status_code"] == 200 and listed["last_error"] is None
    assert listed["delivered_at"] and listed["created_at"] and listed["next_attempt_at"] is None


async def test_a_ping_sent_again_with_its_idempotency_key_is_delivered_once(
    http: aiohttp.ClientSession, receiver: HeldReceiver
) -> None:
    hook = await new_webhook(http, receiver.url, ["project.deleted"])
    key = {"Idempotency-Key": f"ping-{uuid4()}", **WAIT}
    path = f"/webhooks/{hook['webhook_id']}/ping"
    first = await call(http, "POST", path, headers=key)
    again = await call(http, "POST", path, headers=key)
    assert first[0] == again[0] == 200, (first[1], again[1])
    assert first[1]["result"]["task_id"] == again[1]["result"]["task_id"]
    assert receiver.calls == 1 and len(await deliveries(http, hook["webhook_id"])) == 1


async def test_a_ping_to_a_receiver_that_is_down_fails_and_says_why_then_a_retry_delivers(
    http: aiohttp.ClientSession, receiver: HeldReceiver
) -> None:
    """Down (nothing listens), then answering 500, then up: each attempt is one task that
    ends as the receiver did, and the delivery records each attempt."""
    down = await new_webhook(http, closed_port_url(), ["project.deleted"])
    _, task = await ping(http, down["webhook_id"])
    assert task["state"] == "FAILURE" and task["error"]["code"] == "unavailable", task
    assert "connect" in task["error"]["message"].lower()
    [failed] = await deliveries(http, down["webhook_id"])
    assert failed["status"] == "failed" and failed["attempts"] == 1
    assert failed["last_status_code"] is None and "connect" in failed["last_error"].lower()
    assert failed["delivered_at"] is None and failed["next_attempt_at"] is None

    receiver.answer = lambda n: 500 if n == 1 else 200
    hook = await new_webhook(http, receiver.url, ["project.deleted"])
    status, body, _ = await call(http, "POST", f"/webhooks/{hook['webhook_id']}/ping", headers=WAIT)
    assert status == 503 and body["result"]["state"] == "FAILURE", body
    assert "answered 500" in body["errors"][0]["message"]
    [failed] = await deliveries(http, hook["webhook_id"])
    assert failed["status"] == "failed" and failed["last_status_code"] == 500

    retry = f"/webhooks/{hook['webhook_id']}/deliveries/{failed['delivery_id']}/retry"
    status, body, _ = await call(http, "POST", retry, headers=WAIT)
    assert status == 200 and body["result"]["state"] == "SUCCESS", body
    assert body["result"]["kind"] == "webhook.retry_delivery"
    [delivered] = await deliveries(http, hook["webhook_id"])
    assert delivered["status"] == "delivered" and delivered["attempts"] == 2
    assert delivered["last_status_code"] == 200 and delivered["last_error"] is None
    assert receiver.calls == 2
    [signed] = receiver.signed_by(hook["secret"])  # the 500 was not kept by the receiver
    assert signed.event["id"] == failed["event_id"] and signed.event["type"] == "webhook.ping"


async def test_an_event_delivery_that_ran_out_of_attempts_is_delivered_by_a_retry(
    system: System, http: aiohttp.ClientSession, receiver: HeldReceiver
) -> None:
    """The receiver answers 500 to every automatic attempt (back-off 1, 2, 4, 8 s): the list
    shows them pending with their next attempt, then failed; once the receiver is mended, a
    retry POSTs the same event again, signed afresh, and the delivery is delivered."""
    receiver.answer = lambda n: 500
    hook = await new_webhook(http, receiver.url, ["project.created"])
    project_id = await create_project(http, name="Retried pylon")
    pending = await one_delivery(http, hook["webhook_id"], lambda d: d["attempts"] >= 1)
    assert pending["event_type"] == "project.created"
    if pending["status"] == "pending":
        assert pending["next_attempt_at"] and pending["last_status_code"] == 500
    attempts = system.settings.max_attempts
    failed = await one_delivery(http, hook["webhook_id"], lambda d: d["status"] == "failed", 40)
    assert failed["attempts"] == attempts == receiver.calls and failed["next_attempt_at"] is None
    assert failed["last_status_code"] == 500 and "500" in failed["last_error"]

    receiver.answer = lambda n: 200
    retry = f"/webhooks/{hook['webhook_id']}/deliveries/{failed['delivery_id']}/retry"
    status, body, _ = await call(http, "POST", retry, headers=WAIT)
    assert status == 200 and body["result"]["state"] == "SUCCESS", body
    [delivered] = await deliveries(http, hook["webhook_id"])
    assert delivered["status"] == "delivered" and delivered["attempts"] == attempts + 1
    assert delivered["delivered_at"] and delivered["last_error"] is None
    [signed] = receiver.signed_by(hook["secret"])
    assert signed.event["id"] == failed["event_id"] == signed.headers["X-Apex-Event-Id"]
    assert signed.event["data"]["project_id"] == project_id


async def test_retrying_a_delivery_being_attempted_is_409_and_the_attempt_goes_on(
    http: aiohttp.ClientSession, receiver: HeldReceiver
) -> None:
    receiver.held.clear()
    hook = await new_webhook(http, receiver.url, ["project.created"])
    await create_project(http, name="In-flight pylon")
    await asyncio.wait_for(receiver.arrived.wait(), 20)  # the automatic attempt is in flight
    [in_flight] = await deliveries(http, hook["webhook_id"])
    retry = f"/webhooks/{hook['webhook_id']}/deliveries/{in_flight['delivery_id']}/retry"
    status, body, _ = await call(http, "POST", retry, headers=WAIT)
    receiver.held.set()
    assert status == 409 and body["errors"][0]["type"] == "conflict", body
    assert "being attempted now" in body["errors"][0]["message"]
    delivered = await one_delivery(http, hook["webhook_id"], lambda d: d["status"] == "delivered")
    assert delivered["attempts"] == 1 and receiver.calls == 1


async def test_pages_list_every_delivery_once_newest_first_and_filter_by_status(
    http: aiohttp.ClientSession, receiver: HeldReceiver
) -> None:
    receiver.answer = lambda n: 400 if n % 3 == 0 else 200  # 400: failed at once, not retried
    hook = await new_webhook(http, receiver.url, ["project.deleted"])
    pings = [await ping(http, hook["webhook_id"]) for _ in range(7)]
    made = {accepted["delivery_id"] for accepted, _ in pings}
    assert [task["state"] for _, task in pings].count("FAILURE") == 2

    seen: list[dict[str, Any]] = []
    cursor, pages = None, 0
    while True:
        query = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        status, body, _ = await call(
            http, "GET", f"/webhooks/{hook['webhook_id']}/deliveries{query}"
        )
        assert status == 200, body
        seen += body["result"]["items"]
        pages += 1
        cursor = body["result"]["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 7
    assert len({d["delivery_id"] for d in seen}) == 7  # no duplicates, no gaps
    assert [d["created_at"] for d in seen] == sorted((d["created_at"] for d in seen), reverse=True)
    assert made == {d["delivery_id"] for d in seen}

    failed = await deliveries(http, hook["webhook_id"], "?status=failed")
    assert len(failed) == 2 and all(d["last_status_code"] == 400 for d in failed)
    delivered = await deliveries(http, hook["webhook_id"], "?status=delivered&limit=500")
    assert len(delivered) == 5
    assert await deliveries(http, hook["webhook_id"], "?status=pending") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?limit=many", "limit"),
        ("?status=lost", "status"),
        ("?cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("?cursor=%25%25", "cursor"),
    ],
)
async def test_bad_page_parameters_are_422_naming_the_field(
    http: aiohttp.ClientSession, receiver: HeldReceiver, query: str, field: str
) -> None:
    hook = await new_webhook(http, receiver.url, ["project.deleted"])
    path = f"/webhooks/{hook['webhook_id']}/deliveries{query}"
    status, body, _ = await call(http, "GET", path)
    assert status == 422, body
    assert [e["field"] for e in body["errors"]] == [field]


async def test_ids_that_are_not_uuids_are_422_naming_the_path_parameter(
    http: aiohttp.ClientSession,
) -> None:
    real = str(uuid4())
    for method, path, field in (
        ("GET", "/webhooks/not-a-uuid/deliveries", "webhook_id"),
        ("POST", "/webhooks/not-a-uuid/ping", "webhook_id"),
        ("POST", f"/webhooks/{real}/deliveries/1234/retry", "delivery_id"),
        ("POST", f"/webhooks/x/deliveries/{real}/retry", "webhook_id"),
    ):
        status, body, _ = await call(http, method, path)
        assert status == 422, (path, body)
        assert body["errors"][0]["field"] == field, (path, body)


async def test_another_accounts_webhook_another_webhooks_delivery_and_a_deleted_webhook_are_404(
    system: System, http: aiohttp.ClientSession, receiver: HeldReceiver
) -> None:
    hook = await new_webhook(http, receiver.url, ["project.deleted"])
    other_hook = await new_webhook(http, receiver.url, ["project.deleted"])
    accepted, _ = await ping(http, hook["webhook_id"])
    delivery_id = accepted["delivery_id"]
    mine = f"/webhooks/{hook['webhook_id']}"
    retry = f"{mine}/deliveries/{delivery_id}/retry"

    async with client(system, bearer(system.settings, account=f"x-{uuid4().hex[:8]}")) as other:
        assert (await call(other, "GET", f"{mine}/deliveries"))[0] == 404
        for path in (retry, f"{mine}/ping"):
            status, body, _ = await call(other, "POST", path, headers=WAIT)
            assert status == 404 and body["result"]["state"] == "FAILURE", (path, body)
        status, body, _ = await call(other, "POST", retry)  # without waiting: the task says
        assert status == 202, body
        late = await task_done(other, body["result"]["task_id"])
        assert late["state"] == "FAILURE" and late["error"]["code"] == "not_found"
    crossed = f"/webhooks/{other_hook['webhook_id']}/deliveries/{delivery_id}/retry"
    assert (await call(http, "POST", crossed, headers=WAIT))[0] == 404
    unknown = f"/webhooks/{uuid4()}"
    assert (await call(http, "GET", f"{unknown}/deliveries"))[0] == 404
    assert (await call(http, "POST", f"{unknown}/ping", headers=WAIT))[0] == 404
    assert (await call(http, "POST", f"{mine}/deliveries/{uuid4()}/retry", headers=WAIT))[0] == 404
    assert receiver.calls == 1  # nothing of the above reached the receiver

    assert (await call(http, "DELETE", mine, headers=WAIT))[0] == 200
    assert (await call(http, "GET", f"{mine}/deliveries"))[0] == 404
    assert (await call(http, "POST", retry, headers=WAIT))[0] == 404
    assert (await call(http, "POST", f"{mine}/ping", headers=WAIT))[0] == 404
    assert receiver.calls == 1


async def test_a_viewer_lists_deliveries_but_neither_retries_nor_pings(
    system: System, http: aiohttp.ClientSession, receiver: HeldReceiver, account: str
) -> None:
    hook = await new_webhook(http, receiver.url, ["project.deleted"])
    accepted, _ = await ping(http, hook["webhook_id"])
    mine = f"/webhooks/{hook['webhook_id']}"
    viewing = bearer(system.settings, account=account, roles="viewer")
    async with client(system, viewing) as viewer:
        assert len(await deliveries(viewer, hook["webhook_id"])) == 1
        retry = f"{mine}/deliveries/{accepted['delivery_id']}/retry"
        for path in (retry, f"{mine}/ping"):
            assert (await call(viewer, "POST", path))[0] == 403
    assert receiver.calls == 1
