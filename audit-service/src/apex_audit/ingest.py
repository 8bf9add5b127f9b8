"""The audit log's consumer: a wide prefetch, many entries per transaction, acks after commit.

FastStream handles one message per handler call (about 3,000 messages/s on the machines
measured); the audit log must take 5,000+ events/s in one process. So FastStream declares,
binds and documents the two queues, and this consumer reads them itself: messages are
buffered and batched as every batched consumer's are (`apex_runtime.delivery_buffer`, the
same rule as project-service's commands), appended by `append` (one transaction per batch),
and acked — one ack for the whole batch — only after that transaction committed. A redelivered
message is skipped by its message id. aio-pika keeps the connection and channel alive
(robust); deliveries are taken from its underlying aiormq channel, which skips building an
aio-pika message object per delivery (a third of the per-message cost).
"""

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import aio_pika
import aiormq
from aio_pika.abc import AbstractExchange, AbstractRobustChannel, AbstractRobustConnection
from aiormq.abc import DeliveredMessage
from opentelemetry import trace
from opentelemetry.trace import (
    Link,
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
)
from prometheus_client import Histogram

from apex_contracts import topology as t
from apex_runtime import message_metrics as metrics
from apex_runtime.delivery_buffer import DeliveryBuffer

from .canonical import NotCanonical
from .chain import Draft
from .handlers import Appended
from .recording import Received, Unrecordable, draft_of
from .redaction import Redactor

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
DATA_ERROR_CLASSES = ("22", "23", "54")  # data exception, integrity violation, limit exceeded
LAG = Histogram(
    "apex_audit_ingest_lag_seconds",
    "From an entry's occurred_at (an event's own time, else its receipt) to the commit that"
    " appended it",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)


@dataclass(frozen=True)
class Source:
    """A queue this consumer reads and the kind of entry its messages become."""

    queue: str
    kind: str  # "event" | "command"


@dataclass
class _Pending:
    message: DeliveredMessage
    queue: str
    draft: Draft | None  # None: the message cannot be recorded, for `refusal`
    refusal: str = ""
    link: Link | None = None  # to the trace that published the message
    settled: bool = False  # acked (stored, or copied to apex.dead)


Append = Callable[[Sequence[Draft]], Awaitable[Appended]]


class BatchIngest:
    """Reads `sources` and appends what arrives in batches of up to `batch_max`."""

    def __init__(
        self,
        amqp_url: str,
        sources: Sequence[Source],
        append: Append,
        redactor: Redactor,
        *,
        prefetch: int,
        batch_max: int,
        batch_wait_s: float,
        on_appended: Callable[[Appended], None] = lambda _: None,
    ) -> None:
        self.amqp_url = amqp_url
        self.sources = sources
        self.append = append
        self.redactor = redactor
        self.prefetch = prefetch
        self.on_appended = on_appended
        # In delivery order: an ack may cover every earlier delivery of its channel. Nobody
        # waits on an entry, so a lone one lingers for company (one commit for several).
        self.buffer = DeliveryBuffer[_Pending](batch_max, batch_wait_s, linger_alone=True)
        self._connection: AbstractRobustConnection | None = None
        self._dead: AbstractExchange | None = None
        self._failing: str | None = None
        self._consumers: list[tuple[Any, str]] = []  # (aiormq channel, consumer tag)

    async def check(self) -> None:
        """Readiness: connected, and the last batch was stored."""
        if self._connection is None or self._connection.is_closed:
            raise ConnectionError("the audit consumer is not connected to RabbitMQ")
        if self._failing:
            raise ConnectionError(f"audit entries cannot be stored: {self._failing}")

    async def run(self) -> None:
        """Consume until cancelled; then stop consuming and store what is buffered."""
        self._connection = await aio_pika.connect_robust(self.amqp_url, reconnect_interval=1.0)
        channel: AbstractRobustChannel = await self._connection.channel()
        await channel.set_qos(prefetch_count=self.prefetch)
        self._dead = await channel.get_exchange(t.DEAD_EXCHANGE)
        for source in self.sources:
            await channel.get_queue(source.queue)  # declared and bound by FastStream
        await self._consume(channel)
        channel.reopen_callbacks.add(self._consume)  # after a reconnect, consume again
        try:
            await self._store_forever()
        finally:
            with contextlib.suppress(Exception):
                for underlay, tag in self._consumers:  # no new deliveries
                    await underlay.basic_cancel(tag)
            try:
                while len(self.buffer):  # at shutdown, one attempt; what is left comes back
                    if not await self._store(self.buffer.take(), retry=False):
                        break  # acking a later batch would ack this one too
            except Exception:
                log.exception("audit entries not stored at shutdown; they will come back")
            await self._connection.close()

    async def _consume(self, channel: Any) -> None:
        underlay = await channel.get_underlay_channel()
        self._consumers = []
        for source in self.sources:
            ok = await underlay.basic_consume(source.queue, partial(self._received, source))
            self._consumers.append((underlay, ok.consumer_tag))

    async def _received(self, source: Source, message: DeliveredMessage) -> None:
        properties = message.header.properties
        headers = dict(properties.headers or {})
        received = Received(
            kind=source.kind,
            routing_key=message.routing_key or "",
            body=message.body,
            headers=headers,
            message_id=properties.message_id,
            correlation_id=properties.correlation_id,
            timestamp=_aware(properties.timestamp),
            received_at=datetime.now(UTC),
        )
        try:
            pending = _Pending(message, source.queue, draft_of(received, self.redactor))
        except Unrecordable as exc:
            pending = _Pending(message, source.queue, None, str(exc))
        pending.link = _link_to(headers.get("traceparent"))
        if pending.link is not None:  # the receipt joins the publisher's trace; the batch's
            publisher = trace.set_span_in_context(NonRecordingSpan(pending.link.context))
            tracer.start_span(  # write links back to it
                f"{source.queue} receive {received.routing_key}",
                context=publisher,
                kind=SpanKind.CONSUMER,
            ).end()
        self.buffer.add(pending)

    async def _store_forever(self) -> None:
        while batch := await self.buffer.next_batch():
            try:
                await self._store(batch, retry=True)
            except Exception as exc:  # e.g. apex.dead unreachable: keep the order, try again
                self._failing = f"{type(exc).__name__}: {exc}"[:300]
                log.exception("audit batch not settled; retrying")
                await asyncio.sleep(1.0)
            finally:  # what is not settled (an error, or cancelled at shutdown) goes first again
                self.buffer.give_back(p for p in batch if not p.settled)

    async def _store(self, batch: list[_Pending], *, retry: bool) -> bool:
        """Append a batch and ack it; True once every message of it is settled.

        Acks are cumulative (`multiple`), so a batch is only acked when every earlier delivery
        is settled. A batch the database refuses is stored message by message; a message it
        refuses alone goes to `apex.dead`. A transient failure is retried (with `retry`)."""
        for pending in batch:
            if pending.draft is None:
                await self._dead_letter(pending, pending.refusal)
        batch = [p for p in batch if not p.settled]
        if not batch:
            return True
        started = time.perf_counter()
        delay = 0.2
        while True:
            failure = await self._append(batch)
            if failure is None:
                break
            if _is_data_error(failure):
                if len(batch) == 1:
                    await self._dead_letter(batch[0], f"the database refused the entry: {failure}")
                    return True
                for pending in batch:
                    if not await self._store([pending], retry=retry):
                        return False
                return True
            self._failing = f"{type(failure).__name__}: {failure}"[:300]
            log.error("audit batch not stored; retrying", exc_info=failure)
            if not retry:
                return False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        self._failing = None
        for pending in batch:
            pending.settled = True
        last_of_channel = {id(p.message.channel): p for p in batch}
        for pending in last_of_channel.values():  # one ack for the whole batch per channel
            await _ack(pending.message, multiple=True)
        _count_stored(batch, time.perf_counter() - started)
        return True

    async def _append(self, batch: list[_Pending]) -> BaseException | None:
        """One transaction for the batch, in one span linked to every message's trace."""
        links = [p.link for p in batch if p.link is not None]
        with tracer.start_as_current_span(
            "audit-service append", kind=SpanKind.CONSUMER, links=links
        ) as span:
            span.set_attribute("messaging.batch.message_count", len(batch))
            try:
                appended = await self.append([p.draft for p in batch if p.draft is not None])
            except Exception as exc:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                return exc
        self.on_appended(appended)
        return None

    async def _dead_letter(self, pending: _Pending, reason: str) -> None:
        """Copy to `apex.dead` (routing key: the queue, as the delivery limit does), then ack."""
        assert self._dead is not None
        properties = pending.message.header.properties
        headers: dict[str, Any] = dict(properties.headers or {})
        headers[t.HEADER_ERROR] = reason[:2000]
        await self._dead.publish(
            aio_pika.Message(
                pending.message.body,
                headers=headers,
                content_type=properties.content_type,
                message_id=properties.message_id,
                correlation_id=properties.correlation_id,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=pending.queue,
        )
        log.warning("message dead-lettered", extra={"queue": pending.queue, "reason": reason[:300]})
        pending.settled = True
        await _ack(pending.message, multiple=False)
        routing_key = pending.message.routing_key or ""
        metrics.meter(pending.queue, routing_key).count(metrics.DEAD_LETTERED)


def _count_stored(batch: list[_Pending], seconds: float) -> None:
    """The batch's entries as handled (`message_metrics`), and each entry's lag."""
    now = datetime.now(UTC)
    stored: Counter[tuple[str, str]] = Counter()
    for pending in batch:
        stored[(pending.queue, pending.message.routing_key or "")] += 1
        if pending.draft is not None:
            LAG.observe((now - pending.draft.occurred_at).total_seconds())
    for (queue, routing_key), count in stored.items():
        metrics.meter(queue, routing_key).record(metrics.SUCCESS, seconds, count)


async def _ack(message: DeliveredMessage, *, multiple: bool) -> None:
    """Ack (with `multiple`, every earlier delivery of the channel too); a delivery of a channel
    that has closed since is not acked: RabbitMQ delivers it again."""
    tag = message.delivery_tag
    if tag is None:
        return
    with contextlib.suppress(aiormq.exceptions.AMQPError, ConnectionError):
        await message.channel.basic_ack(tag, multiple=multiple)


def _link_to(traceparent: Any) -> Link | None:
    """A link to the span that published the message (W3C `traceparent`), if it names one."""
    parts = str(traceparent or "").split("-")
    if len(parts) != 4 or len(parts[1]) != 32 or len(parts[2]) != 16:
        return None
    try:
        context = SpanContext(
            trace_id=int(parts[1], 16),
            span_id=int(parts[2], 16),
            is_remote=True,
            trace_flags=TraceFlags(int(parts[3][:2], 16)),
        )
    except ValueError:
        return None
    return Link(context) if context.is_valid else None


def _is_data_error(exc: BaseException) -> bool:
    if isinstance(exc, NotCanonical):
        return True
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return isinstance(code, str) and code[:2] in DATA_ERROR_CLASSES


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
