"""Idempotent consumers: a message's effect and its `message_id` commit in one transaction."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


def inbox_table(metadata: MetaData, schema: str) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("message_id", String(64), primary_key=True),
        Column("consumer", String(100), nullable=False),
        Column("result", JSON, nullable=True),
        Column("processed_at", DateTime(timezone=True), nullable=False),
        schema=schema,
    )


class Inbox:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def claim(self, session: AsyncSession, message_id: str, consumer: str) -> bool:
        """Claim a message inside the current transaction; False if it was processed before.

        A concurrent duplicate blocks on the primary key until the first transaction ends.
        """
        inserted = await session.execute(
            insert(self.table)
            .values(message_id=message_id, consumer=consumer, processed_at=datetime.now(UTC))
            .on_conflict_do_nothing()
            .returning(self.table.c.message_id)
        )
        return inserted.first() is not None

    async def remember(self, session: AsyncSession, message_id: str, result: Any) -> None:
        await session.execute(
            self.table.update().where(self.table.c.message_id == message_id).values(result=result)
        )

    async def result_of(self, session: AsyncSession, message_id: str) -> Any:
        return (
            await session.execute(
                select(self.table.c.result).where(self.table.c.message_id == message_id)
            )
        ).scalar_one_or_none()
