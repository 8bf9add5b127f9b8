"""Bounded tables against the real PostgreSQL: expired rows go in batches, nothing owed does."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError
from sqlalchemy import MetaData, Table, event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from apex_runtime.db import make_engine, make_sessions
from apex_runtime.inbox import Inbox, inbox_table
from apex_runtime.outbox import outbox_table
from apex_runtime.retention import Retention
from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import INBOX_RETENTION_MIN_S, Settings

SCHEMA = "retention_test"
DAY = timedelta(days=1)


@dataclass
class Rig:
    engine: AsyncEngine
    outbox: Table
    inbox: Table
    settings: Settings

    def retention(self, **update: Any) -> Retention:
        return Retention(
            self.engine, self.outbox, self.inbox, self.settings.model_copy(update=update)
        )

    async def add_inbox(self, n: int, processed_at: datetime) -> list[str]:
        ids = [str(uuid4()) for _ in range(n)]
        rows = [{"message_id": m, "consumer": "test", "processed_at": processed_at} for m in ids]
        async with self.engine.begin() as conn:
            await conn.execute(self.inbox.insert(), rows)
        return ids

    async def add_outbox(self, n: int, created_at: datetime, sent_at: datetime | None) -> None:
        rows = [
            {
                "message_id": str(uuid4()),
                "routing_key": "test.retention",
                "body": "{}",
                "headers": {},
                "created_at": created_at,
                "sent_at": sent_at,
            }
            for _ in range(n)
        ]
        async with self.engine.begin() as conn:
            await conn.execute(self.outbox.insert(), rows)

    async def inbox_ids(self) -> set[str]:
        async with self.engine.connect() as conn:
            return set((await conn.scalars(select(self.inbox.c.message_id))).all())

    async def count(self, table: Table, *where: Any) -> int:
        async with self.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table).where(*where)))


async def create_tables(engine: AsyncEngine, metadata: MetaData) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        await conn.run_sync(metadata.create_all)


@asynccontextmanager
async def rig() -> AsyncIterator[Rig]:
    """Fresh outbox and inbox tables in a schema of their own."""
    settings = Settings()
    engine = make_engine(settings)
    metadata = MetaData()
    r = Rig(engine, outbox_table(metadata, SCHEMA), inbox_table(metadata, SCHEMA), settings)
    try:
        await create_tables(engine, metadata)
        yield r
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await engine.dispose()


@asynccontextmanager
async def counting_commits(engine: AsyncEngine) -> AsyncIterator[list[int]]:
    """The number of transactions committed on `engine` meanwhile, in `commits[0]`."""
    commits = [0]

    def on_commit(_: Any) -> None:
        commits[0] += 1

    event.listen(engine.sync_engine, "commit", on_commit)
    try:
        yield commits
    finally:
        event.remove(engine.sync_engine, "commit", on_commit)


async def test_rows_past_their_horizon_are_deleted_and_rows_inside_it_are_kept() -> None:
    async with rig() as r:
        now = datetime.now(UTC)
        expired = await r.add_inbox(3, now - 8 * DAY)  # default horizon: 7 days
        kept = await r.add_inbox(2, now - 6 * DAY)
        await r.add_outbox(4, now - 3 * DAY, sent_at=now - 2 * DAY)  # default horizon: 1 day
        await r.add_outbox(5, now - 3 * DAY, sent_at=now - timedelta(hours=23))
        retention = r.retention()

        assert await retention.purge_inbox() == len(expired)
        assert await retention.purge_outbox() == 4
        assert await r.inbox_ids() == set(kept)
        assert await r.count(r.outbox) == 5
        # a second sweep finds nothing more
        assert await retention.purge_inbox() == 0
        assert await retention.purge_outbox() == 0


async def test_unsent_outbox_rows_are_never_deleted_however_old() -> None:
    async with rig() as r:
        now = datetime.now(UTC)
        await r.add_outbox(7, now - 3650 * DAY, sent_at=None)  # ten years owed
        await r.add_outbox(3, now - 3650 * DAY, sent_at=now - 3600 * DAY)
        await r.add_outbox(2, now, sent_at=now)
        retention = r.retention(outbox_sent_retention_s=0, retention_batch=2)

        assert await retention.purge_outbox(now=now + timedelta(seconds=1)) == 5
        assert await r.count(r.outbox) == 7
        assert await r.count(r.outbox, r.outbox.c.sent_at.is_(None)) == 7


@pytest.mark.parametrize("which", ["inbox", "outbox"])
async def test_deletion_goes_in_batches_one_transaction_each(which: str) -> None:
    """2,500 expired rows, batches of 1,000: 1,000 + 1,000 + 500, the short one ends the sweep."""
    async with rig() as r:
        old = datetime.now(UTC) - 30 * DAY
        if which == "inbox":
            await r.add_inbox(2500, old)
            kept = await r.add_inbox(10, datetime.now(UTC))
        else:
            await r.add_outbox(2500, old, sent_at=old)
            await r.add_outbox(10, old, sent_at=None)
        retention = r.retention(retention_batch=1000)
        purge = retention.purge_inbox if which == "inbox" else retention.purge_outbox

        async with counting_commits(r.engine) as commits:
            assert await purge() == 2500
        assert commits[0] == 3
        table = r.inbox if which == "inbox" else r.outbox
        assert await r.count(table) == 10
        if which == "inbox":
            assert await r.inbox_ids() == set(kept)


async def test_replicas_sweeping_at_once_split_the_rows() -> None:
    """SKIP LOCKED: two sweeps at once neither wait on each other nor delete a row twice."""
    async with rig() as r:
        await r.add_inbox(5000, datetime.now(UTC) - 30 * DAY)
        replicas = [r.retention(retention_batch=500) for _ in range(2)]

        deleted = await asyncio.gather(*(replica.purge_inbox() for replica in replicas))

        # Each replica stops at its first short batch (rows the other held look like the end),
        # so a later sweep may still find a remainder; together they delete each row once.
        remainder = await replicas[0].purge_inbox()
        assert sum(deleted) + remainder == 5000
        assert await r.count(r.inbox) == 0


async def test_a_redelivery_after_its_inbox_row_is_deleted_is_claimed_again() -> None:
    """Deleting an inbox row forgets the message: the horizon must outlast every redelivery.

    A redelivery inside the horizon finds the row and is skipped (the inbox's job). Once the
    row is deleted, a copy of the same message id is claimed as new and would run again. That
    is safe only because the horizon (≥ 1 hour, 7 days by default; `Settings` refuses shorter)
    is longer than any copy can arrive: retries back off at most `APEX_MAX_ATTEMPTS` times 30 s,
    crash loops redeliver at once up to `APEX_DELIVERY_LIMIT`, a relay republishes on its
    next drain, a replayed dead letter never committed. A later straggler falls back on the
    command's natural key (`project.create` inserts `ON CONFLICT (id) DO NOTHING`).
    """
    async with rig() as r:
        inbox = Inbox(r.inbox)
        sessions = make_sessions(r.engine)
        message_id = str(uuid4())

        async def claim() -> bool:
            async with sessions.begin() as session:
                return message_id in await inbox.claim_many(session, [message_id], "test")

        retention = r.retention()
        assert await claim()
        assert not await claim()  # a redelivery within the horizon: already handled
        assert await retention.purge_inbox() == 0  # processed just now: kept

        assert await retention.purge_inbox(now=datetime.now(UTC) + 8 * DAY) == 1
        assert await claim()  # past the horizon the id is new again


def test_settings_refuse_an_inbox_retention_shorter_than_an_hour() -> None:
    with pytest.raises(ValidationError, match="APEX_INBOX_RETENTION_S must be at least 3600"):
        Settings(inbox_retention_s=INBOX_RETENTION_MIN_S - 1)
    assert Settings(inbox_retention_s=INBOX_RETENTION_MIN_S).inbox_retention_s == 3600
    defaults = Settings()
    assert defaults.inbox_retention_s == 7 * 24 * 3600
    assert defaults.outbox_sent_retention_s == 24 * 3600


async def test_the_loop_outlives_database_errors_and_logs_only_what_it_deleted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sweeps fail while the tables are missing (as while the database restarts), then work."""
    settings = Settings()
    engine = make_engine(settings)
    metadata = MetaData()
    r = Rig(engine, outbox_table(metadata, SCHEMA), inbox_table(metadata, SCHEMA), settings)
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    caplog.set_level(logging.INFO, logger="apex_runtime.retention")

    def logged(level: int) -> list[logging.LogRecord]:
        return [
            rec
            for rec in caplog.records
            if rec.name == "apex_runtime.retention" and rec.levelno == level
        ]

    running = asyncio.create_task(r.retention(retention_interval_s=0.05).run())
    try:
        async with asyncio.timeout(10):
            while len(logged(logging.ERROR)) < 4:  # noqa: ASYNC110 - two failed sweeps of both
                await asyncio.sleep(0.05)
        assert not running.done()

        await create_tables(engine, metadata)
        await asyncio.sleep(0.3)  # a sweep in flight while the tables were created has ended
        caplog.clear()
        await asyncio.sleep(0.3)  # sweeps of empty tables: nothing to say
        assert logged(logging.ERROR) == logged(logging.INFO) == []

        await r.add_inbox(3, datetime.now(UTC) - 30 * DAY)
        async with asyncio.timeout(10):
            while await r.count(r.inbox):  # noqa: ASYNC110 - until the loop deleted them
                await asyncio.sleep(0.05)
        assert [getattr(rec, "deleted", None) for rec in logged(logging.INFO)] == [3]
    finally:
        running.cancel()
        done, _ = await asyncio.wait({running}, timeout=5)
        assert done, "the retention loop kept running after it was cancelled"
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await engine.dispose()


async def test_every_service_with_a_unit_of_work_runs_the_retention_loop() -> None:
    metadata = MetaData()
    rt = ServiceRuntime("retention-test", Settings(), 0, with_db=True)
    try:
        rt.unit_of_work(outbox_table(metadata, SCHEMA), inbox_table(metadata, SCHEMA))
        owners = [getattr(loop, "__self__", None) for _, loop in rt._loops]
        assert any(isinstance(owner, Retention) for owner in owners)
    finally:
        assert rt.engine is not None
        await rt.engine.dispose()
        await rt.redis.aclose()
