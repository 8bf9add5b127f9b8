"""Append-only in the database, and tamper-evident when even that is bypassed.

The service's role may only INSERT and SELECT; a trigger refuses UPDATE, DELETE and TRUNCATE
to everyone. A superuser can still switch the trigger off (here, inside one transaction, so
nothing else sees it off); verification then names the exact entry that was altered."""

import base64
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson
import pytest

from apex_audit.canonical import canonical_json
from apex_audit.chain import entry_hash
from apex_audit.tables import writer_database_url
from apex_contracts.audit import AuditVerification
from apex_runtime.amqp_client import BrokerClient

from .conftest import System
from .test_audit_log import (
    ask,
    broker,
    head_of,
    new_account,
    publish,
    sign_checkpoint_now,
    verify,
)

__all__ = ["broker"]  # the fixture, shared with test_audit_log
TABLES = ("entries", "checkpoints")


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


FORGED: list[str] = []  # accounts whose log a test altered


@pytest.fixture
async def superuser(system: System) -> AsyncIterator[asyncpg.Connection]:
    """The database owner (root), who can switch triggers off; removes what the test forged."""
    conn = await asyncpg.connect(dsn(system.settings.database_url))
    yield conn
    while FORGED:
        account = FORGED.pop()
        for table in TABLES:
            await bypass(conn, table, f"DELETE FROM audit.{table} WHERE account = $1", account)
    await conn.close()


async def bypass(conn: asyncpg.Connection, table: str, sql: str, *args: Any) -> None:
    """Run `sql` with the append-only trigger off, in one transaction."""
    async with conn.transaction():
        await conn.execute(f"ALTER TABLE audit.{table} DISABLE TRIGGER {table}_append_only")
        await conn.execute(sql, *args)
        await conn.execute(f"ALTER TABLE audit.{table} ENABLE ALWAYS TRIGGER {table}_append_only")


async def chain_of(
    system: System, broker: BrokerClient, superuser: asyncpg.Connection, n: int
) -> str:
    account = new_account("tamper")
    FORGED.append(account)
    await publish(system.settings, account, n)
    await head_of(broker, account, n)
    return account


async def body_of(conn: asyncpg.Connection, account: str, sequence: int) -> dict[str, Any]:
    text = await conn.fetchval(
        "SELECT body FROM audit.entries WHERE account = $1 AND sequence = $2", account, sequence
    )
    return orjson.loads(text)  # type: ignore[no-any-return]


def broken_at(result: dict[str, Any]) -> tuple[int, str]:
    assert result["verified"] is False, result
    return result["broken_at"]["sequence"], result["broken_at"]["reason"]


# Append-only --------------------------------------------------------------------------------


async def test_the_services_role_may_only_insert_and_select(
    system: System, broker: BrokerClient, superuser: asyncpg.Connection
) -> None:
    account = await chain_of(system, broker, superuser, 1)
    url = writer_database_url(system.settings.database_url, system.settings.audit_database_url)
    conn = await asyncpg.connect(dsn(url))
    try:
        assert await conn.fetchval("SELECT current_user") == "apex_audit"
        assert (
            await conn.fetchval("SELECT count(*) FROM audit.entries WHERE account = $1", account)
            == 1
        )
        for sql in (
            "UPDATE audit.entries SET body = body WHERE account = $1",
            "DELETE FROM audit.entries WHERE account = $1",
            "DELETE FROM audit.checkpoints WHERE account = $1",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await conn.execute(sql, account)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("TRUNCATE audit.entries")
    finally:
        await conn.close()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit.{table} SET prev_hash = prev_hash",
        "DELETE FROM audit.{table} WHERE false",
        "TRUNCATE audit.{table}",
    ],
)
@pytest.mark.parametrize("table", TABLES)
async def test_not_even_the_owner_may_update_delete_or_truncate(
    superuser: asyncpg.Connection, sql: str, table: str
) -> None:
    if table == "checkpoints":
        sql = sql.replace("prev_hash", "signature")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await superuser.execute(sql.format(table=table))


# Tamper-evident ------------------------------------------------------------------------------


async def test_one_changed_byte_of_a_payload_is_found_at_its_entry(
    system: System, broker: BrokerClient, superuser: asyncpg.Connection
) -> None:
    account = await chain_of(system, broker, superuser, 6)
    await bypass(
        superuser,
        "entries",
        "UPDATE audit.entries SET body = replace(body, '\"n\":3', '\"n\":8')"
        " WHERE account = $1 AND sequence = 4",
        account,
    )
    result = await verify(broker, account)
    assert broken_at(result) == (4, "hash_mismatch")
    assert result["entries"] == result["head_sequence"] == 3


async def test_a_deleted_entry_is_reported_as_a_gap_at_its_sequence(
    system: System, broker: BrokerClient, superuser: asyncpg.Connection
) -> None:
    account = await chain_of(system, broker, superuser, 6)
    await bypass(
        superuser,
        "entries",
        "DELETE FROM audit.entries WHERE account = $1 AND sequence = 3",
        account,
    )
    assert broken_at(await verify(broker, account)) == (3, "gap")


async def test_two_swapped_entries_are_found_at_the_first_of_them(
    system: System, broker: BrokerClient, superuser: asyncpg.Connection
) -> None:
    account = await chain_of(system, broker, superuser, 6)
    two, three = await body_of(superuser, account, 2), await body_of(superuser, account, 3)
    # what each says happened is exchanged: valid canonical JSON, only the hashes betray it
    await _replace_body(superuser, account, 2, {**two, "payload": three["payload"]})
    await _replace_body(superuser, account, 3, {**three, "payload": two["payload"]})
    assert broken_at(await verify(broker, account)) == (2, "hash_mismatch")


async def _replace_body(
    conn: asyncpg.Connection, account: str, sequence: int, document: dict[str, Any]
) -> None:
    await bypass(
        conn,
        "entries",
        "UPDATE audit.entries SET body = $3 WHERE account = $1 AND sequence = $2",
        account,
        sequence,
        canonical_json(document).decode(),
    )


async def test_a_rechained_rewrite_is_caught_by_the_signed_checkpoint(
    system: System, broker: BrokerClient, superuser: asyncpg.Connection
) -> None:
    """Swapping two entries and recomputing every hash after them leaves a consistent chain;
    only a checkpoint signed before the rewrite (and kept outside) shows it."""
    account = await chain_of(system, broker, superuser, 6)
    await sign_checkpoint_now(system.settings, account, await head_of(broker, account, 6))
    rows = await superuser.fetch(
        "SELECT sequence, body, entry_hash FROM audit.entries WHERE account = $1 ORDER BY sequence",
        account,
    )
    docs = [orjson.loads(r["body"]) for r in rows]
    docs[1]["payload"], docs[2]["payload"] = docs[2]["payload"], docs[1]["payload"]
    prev = bytes(rows[0]["entry_hash"])
    for doc in docs[1:]:  # re-seal entries 2..6 the way the service would have
        body = canonical_json(doc)
        digest = entry_hash(prev, body)
        await bypass(
            superuser,
            "entries",
            "UPDATE audit.entries SET body = $3, prev_hash = $4, entry_hash = $5"
            " WHERE account = $1 AND sequence = $2",
            account,
            doc["sequence"],
            body.decode(),
            prev,
            digest,
        )
        prev = digest
    without_checkpoints = await superuser.fetchval(
        "SELECT count(*) FROM audit.entries WHERE account = $1", account
    )
    assert without_checkpoints == 6
    assert broken_at(await verify(broker, account)) == (6, "checkpoint_mismatch")


async def test_a_forged_checkpoint_is_a_bad_signature_at_its_sequence(
    system: System, broker: BrokerClient, superuser: asyncpg.Connection
) -> None:
    account = await chain_of(system, broker, superuser, 5)
    newest = await head_of(broker, account, 5)
    key_id = (await _page(broker, account))["key_id"]
    await superuser.execute(
        "INSERT INTO audit.checkpoints VALUES ($1, 5, $2, now(), $3, $4)",
        account,
        bytes.fromhex(newest["entry_hash"]),
        key_id,
        b"\x00" * 64,
    )
    assert broken_at(await verify(broker, account)) == (5, "bad_signature")


async def test_a_deleted_tail_behind_a_checkpoint_is_reported_as_truncated(
    system: System, broker: BrokerClient, superuser: asyncpg.Connection
) -> None:
    account = await chain_of(system, broker, superuser, 5)
    await sign_checkpoint_now(system.settings, account, await head_of(broker, account, 5))
    await bypass(
        superuser,
        "entries",
        "DELETE FROM audit.entries WHERE account = $1 AND sequence >= 4",
        account,
    )
    result = await verify(broker, account)
    assert broken_at(result) == (4, "truncated")
    assert result["head_sequence"] == 3


async def _page(broker: BrokerClient, account: str) -> dict[str, Any]:
    page: dict[str, Any] = await ask(broker, "audit.checkpoints", {}, account)
    assert base64.b64decode(page["public_key"])
    return page


async def verify_in_chunks(broker: BrokerClient, account: str, limit: int) -> dict[str, Any]:
    """`audit.verify` a few entries at a time, as callers of a long chain do."""
    query: dict[str, Any] = {"limit": limit}
    total: AuditVerification | None = None
    while True:
        part = AuditVerification.model_validate(await ask(broker, "audit.verify", query, account))
        total = part if total is None else total.followed_by(part)
        if part.complete:
            return total.model_dump(mode="json")
        query = {"limit": limit, "after_sequence": part.head_sequence, "after_hash": part.head_hash}


@pytest.mark.parametrize("deleted", [4, 5, 9])
async def test_a_gap_is_found_wherever_it_falls_between_chunks(
    system: System, broker: BrokerClient, superuser: asyncpg.Connection, deleted: int
) -> None:
    account = await chain_of(system, broker, superuser, 10)
    intact = await verify_in_chunks(broker, account, 4)
    assert intact["verified"] is True and intact["entries"] == 10
    await bypass(
        superuser,
        "entries",
        "DELETE FROM audit.entries WHERE account = $1 AND sequence = $2",
        account,
        deleted,
    )
    result = await verify_in_chunks(broker, account, 4)
    assert broken_at(result) == (deleted, "gap")
    assert result["head_sequence"] == deleted - 1
