"""The audit log through the gateway: what is recorded, search, export, checkpoints, verify,
and one account never sees another's entries. Events are published straight to
`apex.events` with `x-apex-account` headers, as the owning services do."""

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import aio_pika
import aiohttp
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from apex_audit import handlers
from apex_audit.canonical import canonical_json
from apex_audit.chain import Head, Link, check_links
from apex_audit.signing import KeySource
from apex_audit.tables import writer_database_url
from apex_contracts import audit as a
from apex_runtime import cli
from apex_runtime.amqp_client import BrokerClient
from apex_runtime.db import make_engine
from apex_runtime.settings import Settings

from .conftest import System, bearer, client
from .event_tap import TEST_PUBLISHER
from .helpers import call, task_done

# Helpers shared by the audit tests ---------------------------------------------------------


def new_account(prefix: str = "audit") -> str:
    return f"{prefix}-{uuid4().hex[:12]}"


async def publish(
    settings: Settings,
    account: str,
    count: int = 1,
    *,
    routing_key: str = "test.audited",  # bound by audit-service alone
    actor: str = "tester",
    message_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> list[str]:
    """Publish `count` events for `account`, all in flight at once; their message ids."""
    connection = await aio_pika.connect(settings.amqp_url)
    ids = [message_id or str(uuid4()) for _ in range(count)]
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("apex.events")
        await asyncio.gather(
            *(
                exchange.publish(
                    aio_pika.Message(
                        orjson.dumps(payload or {"project_id": str(uuid4()), "n": n}),
                        message_id=ids[n],
                        headers={"x-apex-account": account, "x-apex-actor": actor},
                        content_type="application/json",
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        app_id=TEST_PUBLISHER,  # made-up events: the AsyncAPI tap skips them
                    ),
                    routing_key,
                )
                for n in range(count)
            )
        )
    return ids


@pytest.fixture
async def broker(system: System) -> AsyncIterator[BrokerClient]:
    """Talks to audit-service over the broker, as any account (the CLI's way)."""
    broker = BrokerClient(system.settings.amqp_url, "test-audit")
    await broker.connect()
    yield broker
    await broker.close()


async def ask(broker: BrokerClient, routing_key: str, query: dict[str, Any], account: str) -> Any:
    reply = await broker.query(
        routing_key, orjson.dumps(query), headers={"x-apex-account": account}, timeout_s=10
    )
    assert reply.ok, reply
    return reply.result


async def head_of(broker: BrokerClient, account: str, expected: int, timeout_s: float = 20) -> Any:
    """The newest entry of `account`, once the log holds `expected` entries."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        page = await ask(broker, "audit.search", {"limit": 1}, account)
        newest = page["items"][0] if page["items"] else None
        if newest and newest["sequence"] >= expected:
            return newest
        assert asyncio.get_running_loop().time() < deadline, f"{account}: {newest}"
        await asyncio.sleep(0.05)


async def verify(broker: BrokerClient, account: str) -> dict[str, Any]:
    from apex_audit.cli import verify_account

    return await verify_account(broker, account, 10)


async def sign_checkpoint_now(settings: Settings, account: str, newest: dict[str, Any]) -> None:
    """What the service's clock does every T seconds, for one account's head."""
    engine = make_engine(settings, writer_database_url(settings.database_url, None))
    keys = KeySource(
        settings.audit_signing_key,
        settings.audit_signing_key_file,
        settings.audit_trusted_keys,
        settings.environment,
    )
    try:
        head = Head(newest["sequence"], bytes.fromhex(newest["entry_hash"]))
        await handlers.sign_checkpoints({account: head}, engine, keys)
    finally:
        await engine.dispose()


async def ndjson(http: aiohttp.ClientSession, path: str) -> list[dict[str, Any]]:
    async with http.get(path) as response:
        assert response.status == 200, await response.text()
        assert response.content_type == "application/x-ndjson"
        return [orjson.loads(line) for line in (await response.read()).splitlines()]


# What is recorded ---------------------------------------------------------------------------


async def test_an_accepted_command_and_its_event_are_both_recorded(
    http: aiohttp.ClientSession,
) -> None:
    status, body, _ = await call(
        http, "POST", "/projects", json={"name": "Audited", "customer": "Acme"}
    )
    assert status == 202, body
    task_id, project_id = body["result"]["task_id"], body["result"]["project_id"]
    await task_done(http, task_id)
    for _ in range(200):
        status, page, _ = await call(http, "GET", f"/audit?project_id={project_id}")
        kinds = {(e["kind"], e["routing_key"]) for e in page["result"]["items"]}
        if {("command", "project.create"), ("event", "project.created")} <= kinds:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"not recorded: {kinds}")
    command = next(e for e in page["result"]["items"] if e["kind"] == "command")
    assert command["actor"] == "dev" and command["account"] == "demo"
    assert command["task_id"] == task_id and command["subject"] == {"project_id": project_id}
    assert command["payload"]["name"] == "Audited"


async def test_security_events_are_recorded_and_found_by_type(system: System) -> None:
    account = new_account()
    await publish(system.settings, account, 2, routing_key="security.auth_failed")
    await publish(system.settings, account, 3, routing_key="project.updated", actor="ann")
    async with client(system, bearer(system.settings, account=account)) as http:
        await _wait_http(http, 5)
        _, security, _ = await call(http, "GET", "/audit?type=security.*")
        _, by_ann, _ = await call(http, "GET", "/audit?actor=ann")
    assert [e["routing_key"] for e in security["result"]["items"]] == ["security.auth_failed"] * 2
    assert [e["sequence"] for e in by_ann["result"]["items"]] == [5, 4, 3]


# Search -------------------------------------------------------------------------------------


async def test_search_pages_newest_first_with_an_opaque_cursor(system: System) -> None:
    account = new_account()
    await publish(system.settings, account, 7)
    seen: list[int] = []
    async with client(system, bearer(system.settings, account=account, roles="viewer")) as http:
        await _wait_http(http, 7)
        path = "/audit?limit=3"
        while path:
            status, body, _ = await call(http, "GET", path)
            assert status == 200, body
            seen += [e["sequence"] for e in body["result"]["items"]]
            cursor = body["result"]["next_cursor"]
            path = f"/audit?limit=3&cursor={cursor}" if cursor else ""
        status, too_many, _ = await call(http, "GET", "/audit?limit=501")
        status_cursor, forged, _ = await call(http, "GET", "/audit?cursor=bm9wZQ")
    assert seen == [7, 6, 5, 4, 3, 2, 1]
    assert status == 422 and too_many["errors"][0]["field"] == "limit"
    assert status_cursor == 422, forged


async def _wait_http(http: aiohttp.ClientSession, expected: int) -> None:
    for _ in range(400):
        _, body, _ = await call(http, "GET", "/audit?limit=1")
        items = body["result"]["items"]
        if items and items[0]["sequence"] >= expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {expected} entries")


# Export, verify, checkpoints ----------------------------------------------------------------


async def test_export_streams_ndjson_that_an_outsider_can_verify(system: System) -> None:
    account = new_account()
    await publish(system.settings, account, 25)
    async with client(system, bearer(system.settings, account=account)) as http:
        await _wait_http(http, 25)
        records = await ndjson(http, "/audit/export")
        later = await ndjson(http, "/audit/export?since=2100-01-01T00:00:00Z")
    links = [
        Link(
            r["sequence"],
            bytes.fromhex(r["prev_hash"]),
            bytes.fromhex(r["entry_hash"]),
            canonical_json(r["entry"]),
        )
        for r in records
    ]
    checked = check_links(links)  # recomputed outside APEX from the export alone
    assert checked.broken_at is None and checked.entries == 25
    assert {r["entry"]["account"] for r in records} == {account}
    assert later == []


async def test_export_of_more_than_one_chunk_is_complete_and_in_order(system: System) -> None:
    account = new_account()
    total = handlers.EXPORT_CHUNK + 5
    await publish(system.settings, account, total)
    async with client(system, bearer(system.settings, account=account)) as http:
        await _wait_http(http, total)
        records = await ndjson(http, "/audit/export")
    assert [r["sequence"] for r in records] == list(range(1, total + 1))


async def test_verify_needs_admin_and_answers_the_design_shape(system: System) -> None:
    account = new_account()
    await publish(system.settings, account, 4)
    async with client(system, bearer(system.settings, account=account, roles="engineer")) as http:
        await _wait_http(http, 4)
        status, _, _ = await call(http, "GET", "/audit/verify")
    assert status == 403
    async with client(system, bearer(system.settings, account=account, roles="admin")) as http:
        status, body, _ = await call(http, "GET", "/audit/verify")
    assert status == 200, body
    result = body["result"]
    assert {"verified", "entries", "head_sequence", "head_hash", "broken_at"} <= set(result)
    assert result["verified"] is True and result["broken_at"] is None
    assert result["entries"] == result["head_sequence"] == 4
    assert len(result["head_hash"]) == 64


async def test_checkpoints_are_signed_and_checkable_with_the_published_key(
    system: System, broker: BrokerClient
) -> None:
    account = new_account()
    await publish(system.settings, account, 3)
    newest = await head_of(broker, account, 3)
    await sign_checkpoint_now(system.settings, account, newest)
    async with client(system, bearer(system.settings, account=account)) as http:
        status, body, _ = await call(http, "GET", "/audit/checkpoints")
        _, verified, _ = await call(http, "GET", "/audit/verify")
    assert status == 200, body
    page = a.CheckpointPage.model_validate(body["result"])
    (checkpoint,) = page.items
    assert (checkpoint.sequence, checkpoint.entry_hash) == (3, newest["entry_hash"])
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(page.public_key))
    key.verify(base64.b64decode(checkpoint.signature), checkpoint.message.encode())  # no raise
    assert verified["result"]["checkpoints"] == 1 and verified["result"]["verified"] is True


async def test_apex_audit_verify_reports_one_account_and_exits_0(
    system: System, broker: BrokerClient, capsys: pytest.CaptureFixture[str]
) -> None:
    account = new_account()
    await publish(system.settings, account, 3)
    await head_of(broker, account, 3)
    code = await asyncio.to_thread(cli.main, ["audit", "verify", "--account", account])
    line = orjson.loads(capsys.readouterr().out.splitlines()[-1])
    assert code == 0
    assert line["account"] == account and line["verified"] is True and line["entries"] == 3


# Isolation ----------------------------------------------------------------------------------


async def test_accounts_never_see_each_others_entries(system: System) -> None:
    mine, theirs = new_account("mine"), new_account("theirs")
    project_of_theirs = str(uuid4())
    await publish(system.settings, mine, 3)
    await publish(system.settings, theirs, 1, payload={"project_id": project_of_theirs, "n": 0})
    await publish(system.settings, theirs, 1)
    async with client(system, bearer(system.settings, account=mine)) as http:
        await _wait_http(http, 3)
        _, page, _ = await call(http, "GET", "/audit")
        _, by_project, _ = await call(http, "GET", f"/audit?project_id={project_of_theirs}")
        exported = await ndjson(http, "/audit/export")
        _, verified, _ = await call(http, "GET", "/audit/verify")
        _, checkpoints, _ = await call(http, "GET", "/audit/checkpoints")
    assert {e["account"] for e in page["result"]["items"]} == {mine}
    assert len(page["result"]["items"]) == 3
    assert by_project["result"]["items"] == []
    assert [r["entry"]["account"] for r in exported] == [mine] * 3
    assert verified["result"]["entries"] == 3
    assert checkpoints["result"]["items"] == []
    async with client(system, bearer(system.settings, account=theirs)) as http:
        await _wait_http(http, 2)
        _, verified, _ = await call(http, "GET", "/audit/verify")
    assert verified["result"]["entries"] == 2
