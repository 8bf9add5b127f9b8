"""Idempotent consumers: a message's effect and its `message_id` commit in one transaction."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


def inbox_table(metadata: MetaData, schema: str) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("message_id", String(64), primary_key=True),
        Column("consumer", String(100), nullable=False),
        Column("result", JSON, nullable=True),
        # indexed: the retention sweep deletes by it (a full scan per sweep otherwise)
        Column("processed_at", DateTime(timezone=True), nullable=False, index=True),
        schema=schema,
    )


class Inbox:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def claim_many(
        self, session: AsyncSession, message_ids: Sequence[str], consumer: str
    ) -> set[str]:
        """Claim messages inside the current transaction, in one statement; the ids not
        processed before. A concurrent duplicate blocks on the primary key until the first
        transaction ends."""
        if not message_ids:
            return set()
        now = datetime.now(UTC)
        # executemany of one cached statement: SQLAlchemy sends it as one multi-row INSERT
        inserted = await session.execute(
            insert(self.table).on_conflict_do_nothing().returning(self.table.c.message_id),
            [{"message_id": m, "consumer": consumer, "processed_at": now} for m in message_ids],
        )
        return {row[0] for row in inserted}

    async def results_of(self, session: AsyncSession, message_ids: Sequence[str]) -> dict[str, Any]:
        """The stored answers of messages processed before."""
        if not message_ids:
            return {}
        rows = await session.execute(
            select(self.table.c.message_id, self.table.c.result).where(
                self.table.c.message_id.in_(message_ids)
            )
        )
        return {message_id: result for message_id, result in rows}

    async def remember_many(self, session: AsyncSession, results: Mapping[str, Any]) -> None:
        """Each message's result, in one executemany."""
        if not results:
            return
        await session.execute(
            self.table.update()
            .where(self.table.c.message_id == bindparam("mid"))
            .values(result=bindparam("res")),
            [{"mid": m, "res": r} for m, r in results.items()],
        )

    async def release(self, session: AsyncSession, message_ids: Sequence[str]) -> None:
        """Drop claims whose message changed nothing (a domain refusal): a redelivery runs again."""
        if message_ids:
            await session.execute(
                self.table.delete().where(self.table.c.message_id.in_(message_ids))
            )
