"""Transactional outbox: events are rows written with the change, published after commit."""

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import aio_pika
from aio_pika.abc import AbstractRobustChannel, AbstractRobustConnection
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from prometheus_client import Counter
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
from sqlalchemy.sql.elements import ColumnElement

from apex_contracts import topology as t
from apex_contracts.base import Message

from .amqp_client import QueueFull, publish_confirmed

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
REFUSED = Counter(
    "apex_outbox_publish_refused_total",
    "Events RabbitMQ refused because a subscriber's queue is at its bound; each stays unsent"
    " in the outbox and is published again",
)


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


@dataclass
class OutboxRow:
    """An event on its way out: written with the change, published after the commit."""

    message_id: str
    routing_key: str
    aggregate_id: str | None
    body: str
    headers: dict[str, Any]
    created_at: datetime
    id: int | None = None  # assigned by the insert


class Outbox:
    """Writes a transaction's events as outbox rows, in one statement, inside that transaction."""

    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def row(
        routing_key: str,
        event: Message,
        *,
        headers: dict[str, Any],
        aggregate_id: str | None = None,
    ) -> OutboxRow:
        """An event as a row, carrying the current trace context (the publish joins it)."""
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        return OutboxRow(
            message_id=str(uuid4()),
            routing_key=routing_key,
            aggregate_id=aggregate_id,
            body=event.model_dump_json(),
            headers={**headers, **carrier},
            created_at=datetime.now(UTC),
        )

    async def insert(self, session: AsyncSession, rows: Sequence[OutboxRow]) -> None:
        """One multi-row INSERT; each row learns its id (the publisher marks them sent by it)."""
        if not rows:
            return
        values = [
            {
                "message_id": r.message_id,
                "routing_key": r.routing_key,
                "aggregate_id": r.aggregate_id,
                "body": r.body,
                "headers": r.headers,
                "created_at": r.created_at,
            }
            for r in rows
        ]
        # executemany of one cached statement, sent as one multi-row INSERT; ids in row order
        ids = await session.execute(
            self.table.insert().returning(self.table.c.id, sort_by_parameter_order=True), values
        )
        for row, (id_,) in zip(rows, ids.all(), strict=True):
            row.id = id_


class EventPublisher:
    """Publishes events to `apex.events` with confirms, on a connection of its own.

    Straight onto the AMQP channel: a publish through FastStream's broker (its message object,
    middlewares and spans) cost a fifth of project-service's CPU per project. The producer span
    is made here, so a consumer still joins the trace that caused the event.
    """

    def __init__(self, amqp_url: str) -> None:
        self.amqp_url = amqp_url
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractRobustChannel | None = None
        self._opening = asyncio.Lock()

    async def publish(
        self, message_id: str, routing_key: str, body: str, headers: dict[str, Any]
    ) -> None:
        """Return once RabbitMQ confirmed the event; raise if it did not."""
        channel = await (await self._open()).get_underlay_channel()
        parent = propagate.extract(headers)
        plain = {k: v for k, v in headers.items() if k not in ("traceparent", "tracestate")}
        with tracer.start_as_current_span(
            f"{t.EVENTS_EXCHANGE}.{routing_key} publish", context=parent, kind=SpanKind.PRODUCER
        ):
            propagate.inject(plain)
            await publish_confirmed(
                channel,
                t.EVENTS_EXCHANGE,
                routing_key,
                body.encode(),
                message_id=message_id,
                headers=plain,
            )

    async def _open(self) -> AbstractRobustChannel:
        async with self._opening:
            if self._channel is None:
                self._connection = await aio_pika.connect_robust(
                    self.amqp_url, reconnect_interval=1.0
                )
                self._channel = await self._connection.channel(publisher_confirms=True)
            return self._channel

    async def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
        self._connection = self._channel = None


BATCH = 100  # rows per relay transaction


class OutboxRelay:
    """Publishes outbox rows in id order with confirms; safe in several replicas.

    The consumer that committed rows publishes them itself at once (`publish_committed`); the
    relay sweeps what that missed: rows older than `sweep_after_s` (the process died between
    commit and publish). While rows may be waiting — at start, or after a publish failed — the
    consumer hands its rows to the relay instead, which drains every unsent row in id order
    first, so an aggregate's events never overtake each other.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        table: Table,
        publisher: EventPublisher,
        poll_s: float,
        sweep_after_s: float = 0.0,
    ) -> None:
        self.engine = engine
        self.table = table
        self.publisher = publisher
        self.poll_s = poll_s
        self.sweep_after_s = sweep_after_s
        self.behind = True  # unsent rows may exist (none published since start)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Drain every unsent row soon, whatever its age."""
        self._wake.set()

    async def publish_committed(self, rows: Sequence[OutboxRow]) -> None:
        """Publish rows a transaction just committed, then mark them sent.

        Never raises: rows that could not be published stay unsent for the relay (those
        confirmed before the failure are marked sent)."""
        if not rows:
            return
        if self.behind:
            self.wake()
            return
        confirmed: list[Any] = []
        try:
            await self._publish_streams(rows, confirmed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("events not published after commit; the relay takes them", exc_info=True)
            self.behind = True
            self.wake()
        try:
            async with self.engine.begin() as conn:
                await self._mark_sent(conn, confirmed)
        except Exception:  # the sweep sends them again; consumers deduplicate
            log.warning("published events not marked sent", exc_info=True)

    async def _mark_sent(self, conn: Any, ids: list[Any]) -> None:
        if ids:
            await conn.execute(
                update(self.table).where(self.table.c.id.in_(ids)).values(sent_at=datetime.now(UTC))
            )

    async def run(self) -> None:
        try:
            await self._relay_forever()
        finally:
            await self.publisher.close()

    async def _relay_forever(self) -> None:
        while True:
            catch_up = self.behind or self._wake.is_set()
            self._wake.clear()
            try:
                if catch_up:
                    await self.drain()
                    if not self._wake.is_set():  # nothing committed behind the last read
                        self.behind = False
                else:
                    await self.drain(older_than_s=self.sweep_after_s)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying")
                self.behind = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_s)

    async def drain(self, older_than_s: float | None = None) -> None:
        """Publish batches until a batch comes back short."""
        while await self.drain_once(older_than_s=older_than_s) == BATCH:
            pass

    async def drain_once(self, batch: int = BATCH, older_than_s: float | None = None) -> int:
        """Publish one batch; rows are marked sent only after the broker confirmed them.

        Aggregates are published side by side (their confirms overlap), each aggregate's
        events one after another in id order, so a consumer sees them in the order they
        happened. If a publish fails, the rows confirmed before it are marked sent and the rest
        stay unsent and go again (a full queue therefore never stops the relay from making
        progress as room appears; consumers deduplicate by `message_id`).
        """
        t = self.table
        unsent: ColumnElement[bool] = t.c.sent_at.is_(None)
        if older_than_s:
            unsent = unsent & (t.c.created_at < datetime.now(UTC) - timedelta(seconds=older_than_s))
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(
                        t.c.id, t.c.message_id, t.c.routing_key, t.c.aggregate_id, t.c.body,
                        t.c.headers,
                    )
                    .where(unsent)
                    .order_by(t.c.id)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()  # fmt: skip
            if not rows:
                return 0
            confirmed: list[Any] = []
            failure: Exception | None = None
            try:
                await self._publish_streams(rows, confirmed)
            except Exception as exc:  # what RabbitMQ confirmed before it is sent all the same
                failure = exc
            await self._mark_sent(conn, confirmed)
        if failure is not None:
            raise failure
        return len(rows)

    async def _publish_streams(self, rows: Sequence[Any], confirmed: list[Any]) -> None:
        """Aggregates side by side, each aggregate's rows in order; the id of each row RabbitMQ
        confirmed is added to `confirmed`; raises if any failed (a stream stops at its first
        failure, so a row is never confirmed after an earlier one of its aggregate failed)."""
        streams: dict[str, list[Any]] = {}
        for row in rows:
            streams.setdefault(row.aggregate_id or row.message_id, []).append(row)
        # gather, not a TaskGroup: on Python 3.11 a TaskGroup whose child failed can swallow
        # the cancellation of its parent, and the relay would outlive a shutdown.
        outcomes = await asyncio.gather(
            *(self._publish_in_order(stream, confirmed) for stream in streams.values()),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _publish_in_order(self, rows: list[Any], confirmed: list[Any]) -> None:
        for row in rows:
            try:
                await self.publisher.publish(row.message_id, row.routing_key, row.body, row.headers)
            except QueueFull:
                REFUSED.inc()
                raise
            confirmed.append(row.id)
