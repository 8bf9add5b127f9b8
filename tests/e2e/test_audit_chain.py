"""Ingest into the chain: concurrent publishers cannot fork it, a redelivery is stored once."""

import asyncio
from uuid import uuid4

import asyncpg

from apex_audit.app import build
from apex_runtime.amqp_client import BrokerClient

from .conftest import System
from .test_audit_log import broker, head_of, new_account, publish, verify

__all__ = ["broker"]  # the fixture, shared with test_audit_log


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def test_ten_concurrent_publishers_make_one_gap_free_valid_chain(
    system: System, broker: BrokerClient
) -> None:
    account = new_account("busy")
    each = 40
    await asyncio.gather(*(publish(system.settings, account, each) for _ in range(10)))
    await head_of(broker, account, 10 * each)
    await asyncio.sleep(0.3)  # anything extra (a fork, a duplicate) would arrive by now
    conn = await asyncpg.connect(dsn(system.settings.database_url))
    try:
        sequences = await conn.fetch(
            "SELECT sequence FROM audit.entries WHERE account = $1 ORDER BY sequence", account
        )
    finally:
        await conn.close()
    assert [r["sequence"] for r in sequences] == list(range(1, 10 * each + 1))
    result = await verify(broker, account)
    assert result["verified"] is True and result["entries"] == 10 * each


async def test_a_redelivered_event_is_stored_once(system: System, broker: BrokerClient) -> None:
    account = new_account("again")
    message_id = str(uuid4())
    payload = {"project_id": str(uuid4()), "n": 0}
    await publish(system.settings, account, message_id=message_id, payload=payload)
    await head_of(broker, account, 1)
    await publish(system.settings, account, message_id=message_id, payload=payload)  # again
    await publish(system.settings, account)  # a later, different event
    newest = await head_of(broker, account, 2)
    assert newest["sequence"] == 2 and newest["message_id"] != message_id
    result = await verify(broker, account)
    assert result["entries"] == 2 and result["verified"] is True


async def test_a_restart_in_the_middle_of_a_stream_loses_and_doubles_nothing(
    system: System, broker: BrokerClient
) -> None:
    account = new_account("restart")
    total = 3000
    await publish(system.settings, account, total)
    await head_of(broker, account, total // 10)
    await system.services["audit"].stop()  # graceful: what it holds is stored or comes back
    system.services["audit"] = build(system.settings)
    await system.services["audit"].start()
    await head_of(broker, account, total)
    await asyncio.sleep(0.3)
    result = await verify(broker, account)
    assert result["verified"] is True and result["entries"] == total
