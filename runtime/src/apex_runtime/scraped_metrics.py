"""Gauges read when `/metrics` is scraped: queue depths, the outbox's backlog, table sizes.

Each needs a query (RabbitMQ or PostgreSQL), so none is kept up to date per message: the side
server runs every collector of its service before it answers a scrape, each bounded by a
timeout. A collector that fails leaves its gauges as they were and counts the failure
(`apex_metrics_collect_failures_total`), so a scrape never fails because a dependency does.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import aio_pika
from aio_pika.abc import AbstractRobustConnection
from prometheus_client import Counter, Gauge
from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from .system_status import statuses_on

log = logging.getLogger(__name__)

QUEUE_MESSAGES = Gauge(
    "apex_queue_messages",
    "Messages ready in a queue (apex.dead-letters: the dead letters)",
    ["queue"],
)
QUEUE_CONSUMERS = Gauge("apex_queue_consumers", "Consumers of a queue", ["queue"])
OUTBOX_BACKLOG = Gauge(
    "apex_outbox_backlog_rows", "Outbox rows not yet published (sent_at unset)", ["schema"]
)
OUTBOX_OLDEST = Gauge(
    "apex_outbox_oldest_unsent_age_seconds",
    "Age of the oldest unpublished outbox row (0 when none)",
    ["schema"],
)
TABLE_ROWS = Gauge(
    "apex_table_rows",
    "Rows of a service's inbox or outbox table (PostgreSQL's live-row estimate)",
    ["schema", "table"],
)
COLLECT_FAILURES = Counter(
    "apex_metrics_collect_failures_total", "Scrape-time collections that failed", ["collector"]
)

Collect = Callable[[], Awaitable[None]]


class ScrapeCollectors:
    """The collectors of one service, run together before each scrape is answered."""

    def __init__(self, timeout_s: float = 2.0) -> None:
        self.timeout_s = timeout_s
        self._collectors: list[tuple[str, Collect]] = []

    def add(self, name: str, collect: Collect) -> None:
        self._collectors.append((name, collect))

    async def collect(self) -> None:
        await asyncio.gather(*(self._one(name, c) for name, c in self._collectors))

    async def _one(self, name: str, collect: Collect) -> None:
        try:
            await asyncio.wait_for(collect(), self.timeout_s)
        except Exception:  # the scrape answers with the gauges as they were
            COLLECT_FAILURES.labels(name).inc()
            log.debug("metrics collector %s failed", name, exc_info=True)


class QueueDepths:
    """Ready messages and consumers of named queues (`system_status.statuses_on`), on a
    connection of its own (opened at the first scrape, closed with the service)."""

    def __init__(self, amqp_url: str, queues: Callable[[], Sequence[str]]) -> None:
        self.amqp_url = amqp_url
        self.queues = queues
        self._connection: AbstractRobustConnection | None = None
        self._opening = asyncio.Lock()

    async def collect(self) -> None:
        for queue in await statuses_on(await self._open(), self.queues()):
            if queue.messages is not None and queue.consumers is not None:
                QUEUE_MESSAGES.labels(queue.name).set(queue.messages)
                QUEUE_CONSUMERS.labels(queue.name).set(queue.consumers)

    async def _open(self) -> AbstractRobustConnection:
        async with self._opening:
            if self._connection is None:
                self._connection = await aio_pika.connect_robust(
                    self.amqp_url, reconnect_interval=1.0
                )
            return self._connection

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()


def outbox_collector(engine: AsyncEngine, outbox: Table, inbox: Table) -> Collect:
    """The outbox's backlog and oldest unsent row, and the estimated rows of both tables."""
    schema = str(outbox.schema)
    backlog, oldest = OUTBOX_BACKLOG.labels(schema), OUTBOX_OLDEST.labels(schema)
    unsent = select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.sent_at.is_(None))
    estimates = text(
        "SELECT relname, n_live_tup FROM pg_stat_user_tables"
        " WHERE schemaname = :schema AND relname IN (:outbox, :inbox)"
    ).bindparams(schema=schema, outbox=outbox.name, inbox=inbox.name)

    async def collect() -> None:
        async with engine.connect() as conn:
            count, first = (await conn.execute(unsent)).one()
            rows = (await conn.execute(estimates)).all()
        backlog.set(count)
        oldest.set((datetime.now(UTC) - first).total_seconds() if first is not None else 0.0)
        for table, live in rows:
            TABLE_ROWS.labels(schema, table).set(live)

    return collect
