"""Transactional outbox: events are rows written with the change, published after commit."""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from faststream.rabbit import RabbitBroker
from opentelemetry import propagate, trace
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from apex_contracts.base import Message

from .broker import EVENTS

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


def outbox_table(metadata: MetaData, schema: str) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("message_id", String(64), nullable=False, unique=True),
        Column("routing_key", String(200), nullable=False),
        Column("aggregate_id", String(64), nullable=True, index=True),
        Column("body", Text, nullable=False),
        Column("headers", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True, index=True),
        schema=schema,
    )


class Outbox:
    """Adds events to the current transaction; the relay publishes them after commit."""

    def __init__(self, table: Table) -> None:
        self.table = table

    async def add(
        self,
        session: AsyncSession,
        routing_key: str,
        event: Message,
        *,
        headers: dict[str, Any],
        aggregate_id: str | None = None,
    ) -> str:
        message_id = str(uuid4())
        carrier: dict[str, str] = {}
        propagate.inject(carrier)  # the relay publishes inside the trace that caused the event
        await session.execute(
            self.table.insert().values(
                message_id=message_id,
                routing_key=routing_key,
                aggregate_id=aggregate_id,
                body=event.model_dump_json(),
                headers={**headers, **carrier},
                created_at=datetime.now(UTC),
            )
        )
        return message_id


BATCH = 100  # rows per relay transaction


class OutboxRelay:
    """Publishes unsent outbox rows in id order with confirms; safe in several replicas."""

    def __init__(
        self, engine: AsyncEngine, table: Table, broker: RabbitBroker, poll_s: float
    ) -> None:
        self.engine = engine
        self.table = table
        self.broker = broker
        self.poll_s = poll_s
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Publish soon: a transaction with events just committed."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                # Again at once only after a full batch: rows committed since this batch's read
                # set the wake event, so an extra read that finds nothing (a transaction per
                # wake-up) is not needed to catch them.
                while await self.drain_once() == BATCH:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_s)
            self._wake.clear()

    async def drain_once(self, batch: int = BATCH) -> int:
        """Publish one batch; rows are marked sent only after the broker confirmed them.

        Aggregates are published side by side (their confirms overlap), each aggregate's
        events one after another in id order, so a consumer sees them in the order they
        happened. If any publish fails, the batch stays unsent and goes again (consumers
        deduplicate by `message_id`).
        """
        t = self.table
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(
                        t.c.id, t.c.message_id, t.c.routing_key, t.c.aggregate_id, t.c.body,
                        t.c.headers,
                    )
                    .where(t.c.sent_at.is_(None))
                    .order_by(t.c.id)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()  # fmt: skip
            if not rows:
                return 0
            streams: dict[str, list[Any]] = {}
            for row in rows:
                streams.setdefault(row.aggregate_id or row.message_id, []).append(row)
            # gather, not a TaskGroup: on Python 3.11 a TaskGroup whose child failed can swallow
            # the cancellation of its parent, and the relay would outlive a shutdown.
            outcomes = await asyncio.gather(
                *(self._publish_in_order(stream) for stream in streams.values()),
                return_exceptions=True,
            )
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
            await conn.execute(
                update(t).where(t.c.id.in_([r.id for r in rows])).values(sent_at=datetime.now(UTC))
            )
        return len(rows)

    async def _publish_in_order(self, rows: list[Any]) -> None:
        for row in rows:
            await self._publish(row.message_id, row.routing_key, row.body, row.headers)

    async def _publish(
        self, message_id: str, routing_key: str, body: str, headers: dict[str, Any]
    ) -> None:
        parent = propagate.extract(headers)
        plain = {k: v for k, v in headers.items() if k not in ("traceparent", "tracestate")}
        with tracer.start_as_current_span(f"outbox {routing_key}", context=parent):
            await self.broker.publish(
                body.encode(),
                exchange=EVENTS,
                routing_key=routing_key,
                message_id=message_id,
                headers=plain,
                content_type="application/json",
                persist=True,
            )
