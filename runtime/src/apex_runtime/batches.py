"""Batched consumers: a service that writes takes its messages a batch at a time.

A commit costs about the same for one row as for a hundred, and so do a Redis script call and
an ack, so each is paid once per batch. The consumer takes what RabbitMQ has already
delivered (it never waits when only one message is there), up to `batch_max`, and:

1. validates each message: one that does not validate, or has no route, never enters the batch
   (it is dead-lettered with the reason and its task fails);
2. reports STARTED for the batch's tasks in one script call (a cancelled task is skipped);
3. runs the service's handler over the batch in one transaction (`UnitOfWork.batch`), which
   publishes the batch's events right after the commit;
4. reports every task's outcome in one script call, then acks the batch.

A batch whose transaction fails is run again one message at a time, so a bad message costs its
batch-mates a second try, never a delivery attempt nor their effect; a redelivered message
(one RabbitMQ delivered before) is handled alone. FastStream has no batch subscriber for
RabbitMQ: FastStream declares, binds and documents the queue, and this reads it with aio-pika.

A service declares a batched handler in its `app.py` (project-service's, in short; more in
docs/architecture.md):

    commands = rt.batch_consumer(work_queue(...), COMMANDS, uow, apply_commands, description=...)
    commands.route(PROJECT_CREATE, CreateProject, inbox=False)  # idempotent by its own key
    commands.route(PROJECT_UPDATE, UpdateProject)
"""

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue, AbstractRobustConnection
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Link, Span, SpanKind
from pydantic import BaseModel, ValidationError

from apex_contracts.tasks import TaskError, TaskState

from . import message_metrics as metrics
from .broker import delivered_routing_key, field_errors, invalid_reason
from .dead_letters import dead_letter
from .delivery_buffer import DeliveryBuffer
from .errors import DomainError
from .status_store import Move, StatusStore, Transition
from .tasks import AwaitChildren, MessageContext, ReportBacklog, TaskRunner
from .unit_of_work import BatchWork, Incoming, Outcome, Replayed, UnitOfWork

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


@dataclass(frozen=True)
class Route:
    """How one routing key's messages are read and reported."""

    model: type[BaseModel]
    inbox: bool = True  # False: the handler's effect is idempotent by the message's own key
    awaits_children: bool = False  # the task ends when its child tasks do


@dataclass
class _Delivery:
    raw: AbstractIncomingMessage
    span: Span | None = None
    incoming: Incoming | None = None
    route: Route | None = None
    settled: bool = False  # its outcome is decided (effect, dead letter or retry scheduled)
    outcome: str = metrics.SUCCESS  # what is counted (`message_metrics`) once it is settled


class BatchConsumer:
    """Reads one queue in batches and runs `work` over each batch in one transaction."""

    def __init__(
        self,
        queue: str,
        exchange: str,
        amqp_url: str,
        uow: UnitOfWork,
        work: BatchWork,
        runner: TaskRunner,
        *,
        prefetch: int,
        batch_max: int,
        batch_wait_s: float,
        describe: Callable[[str, type[BaseModel]], Any] = lambda key, model: None,
    ) -> None:
        self.queue = queue
        self.exchange = exchange
        self.amqp_url = amqp_url
        self.uow = uow
        self.work = work
        self.runner = runner
        self.prefetch = max(prefetch, 2 * batch_max)  # the next batch arrives during this one
        self.routes: dict[str, Route] = {}
        self.buffer = DeliveryBuffer[AbstractIncomingMessage](
            batch_max, batch_wait_s, alone=_redelivered
        )
        self._connection: AbstractRobustConnection | None = None
        self._describe = describe
        self._consuming: tuple[AbstractQueue, str] | None = None
        self._idle = asyncio.Event()  # no batch in hand
        self._idle.set()
        self.batch_sizes: Counter[int] = Counter()  # messages per batch handled → batches
        self._batch_size = metrics.BATCH_SIZE.labels(queue)

    @property
    def status(self) -> StatusStore:
        return self.runner.status

    @property
    def backlog(self) -> ReportBacklog:
        return self.runner.backlog

    def route(
        self,
        routing_key: str,
        model: type[BaseModel],
        *,
        inbox: bool = True,
        awaits_children: bool = False,
    ) -> None:
        """Messages with `routing_key` are `model`s handled by this consumer's `work`."""
        self.routes[routing_key] = Route(model, inbox, awaits_children)
        self._describe(routing_key, model)

    async def check(self) -> None:
        """Readiness: connected to RabbitMQ."""
        if self._connection is None or self._connection.is_closed:
            raise ConnectionError(f"the {self.queue} consumer is not connected to RabbitMQ")

    async def run(self) -> None:
        """Consume until cancelled; what is buffered then is not acked and comes back."""
        self._connection = await aio_pika.connect_robust(self.amqp_url, reconnect_interval=1.0)
        try:
            channel = await self._connection.channel()
            await channel.set_qos(prefetch_count=self.prefetch)
            queue = await channel.get_queue(self.queue)  # declared and bound by FastStream
            self._consuming = (queue, await queue.consume(self._received))
            await self._handle_forever()
        finally:
            await self._connection.close()

    async def _received(self, message: AbstractIncomingMessage) -> None:
        self.buffer.add(message)

    async def _handle_forever(self) -> None:
        while batch := await self.buffer.next_batch():  # empty once stopping
            self._idle.clear()
            try:
                await self.handle(batch)
            except Exception:  # what was not settled went back to the queue
                log.exception("batch not handled; its messages come back")
                await asyncio.sleep(1.0)
            finally:
                self._idle.set()

    async def stop(self, timeout_s: float) -> None:
        """Stop taking messages and let the batch in hand finish (up to `timeout_s`)."""
        self.buffer.close()
        if self._consuming is not None:
            queue, tag = self._consuming
            try:  # no new deliveries; the buffered ones come back when the connection closes
                await asyncio.wait_for(queue.cancel(tag), timeout_s)
            except (Exception, asyncio.CancelledError):  # the channel went first
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout_s)

    async def handle(self, messages: Sequence[AbstractIncomingMessage]) -> None:
        """Handle, report and ack one batch of deliveries (in delivery order)."""
        started = time.perf_counter()
        deliveries = [_Delivery(m) for m in messages]
        self.batch_sizes[len(deliveries)] += 1
        self._batch_size.observe(len(deliveries))
        try:
            valid = [d for d in deliveries if await self._admit(d)]
            running = await self._start(valid)
            outcomes = await self._run(running)
            await self._report(running, outcomes)
        finally:
            for d in deliveries:
                if d.span is not None:
                    d.span.end()
            await _settle(deliveries)
            self._count(deliveries, time.perf_counter() - started)

    def _count(self, deliveries: list[_Delivery], seconds: float) -> None:
        """Each settled delivery's outcome, with the batch's duration (`message_metrics`)."""
        for d in deliveries:
            if d.settled:
                routing_key = d.incoming.routing_key if d.incoming else delivered_routing_key(d.raw)
                metrics.meter(self.queue, routing_key).record(d.outcome, seconds)

    async def _admit(self, d: _Delivery) -> bool:
        """Parse and validate; a message that cannot be handled is dead-lettered here."""
        raw = d.raw
        routing_key = delivered_routing_key(raw)
        parent = propagate.extract(dict(raw.headers or {}))
        d.span = tracer.start_span(
            f"{self.exchange}.{routing_key} process", context=parent, kind=SpanKind.CONSUMER
        )
        d.route = self.routes.get(routing_key)
        if d.route is None:
            reason = f"no handler for routing key {routing_key!r}"
        else:
            try:
                body = d.route.model.model_validate_json(raw.body)
            except ValidationError as exc:
                errors = field_errors(exc, handler_parameter=False)
                reason = f"invalid message: {invalid_reason(errors)}"
            else:
                d.incoming = Incoming(
                    routing_key,
                    body,
                    MessageContext.of_delivery(raw),
                    inbox=d.route.inbox,
                    trace=trace.set_span_in_context(d.span),
                )
                return True
        await dead_letter(raw, reason, self.status, queue=self.queue)  # replayable once fixed
        d.settled = True
        d.outcome = metrics.DEAD_LETTERED
        return False

    async def _start(self, valid: list[_Delivery]) -> list[_Delivery]:
        """STARTED for the batch in one call; a task cancelled before it ran is skipped."""
        with_tasks = [d for d in valid if _incoming(d).ctx.task_id]
        moves = [Move(_task_id(d), TaskState.STARTED, count_attempt=True) for d in with_tasks]
        moved: list[Transition] | None = await self.backlog.report(self.status.move_many, moves)
        if not moved:
            return valid
        revoked = {
            id(d)
            for d, m in zip(with_tasks, moved, strict=True)
            if not m.applied and m.previous is TaskState.REVOKED
        }
        for d in valid:
            if id(d) in revoked:
                log.info("task was cancelled; skipping", extra={"task_id": _task_id(d)})
                d.settled = True
                d.outcome = metrics.CANCELLED
        return [d for d in valid if id(d) not in revoked]

    async def _run(self, running: list[_Delivery]) -> list[Outcome | None]:
        """The batch in one transaction; if that fails, each message in a transaction of its
        own. None: the message failed alone and its retry or dead letter is scheduled."""
        if not running:
            return []
        try:
            outcomes: list[Outcome | None] = list(await self._transaction(running))
        except Exception as exc:
            if len(running) == 1:
                await self._failed(running[0], exc)
                return [None]
            log.warning("batch of %d failed; each message again alone", len(running), exc_info=True)
            outcomes = []
            for d in running:
                try:
                    outcomes += await self._transaction([d])
                except Exception as alone:
                    await self._failed(d, alone)
                    outcomes.append(None)
        for d in running:
            d.settled = True
        return outcomes

    async def _transaction(self, batch: list[_Delivery]) -> list[Outcome]:
        items = [_incoming(d) for d in batch]
        if len(batch) == 1 and items[0].trace is not None:  # its own trace holds it all
            token = otel_context.attach(items[0].trace)
            try:
                return await self.uow.batch(items, self.queue, self.work)
            finally:
                otel_context.detach(token)
        links = [Link(d.span.get_span_context()) for d in batch if d.span is not None]
        with tracer.start_as_current_span(
            f"{self.queue} batch", kind=SpanKind.CONSUMER, links=links
        ) as span:
            span.set_attribute("messaging.batch.message_count", len(batch))
            return await self.uow.batch(items, self.queue, self.work)

    async def _failed(self, d: _Delivery, exc: Exception) -> None:
        ctx = _incoming(d).ctx
        d.outcome = await self.runner.failed(d.raw, ctx, ctx.task_id, exc)
        d.settled = True

    async def _report(self, running: list[_Delivery], outcomes: list[Outcome | None]) -> None:
        """Every outcome in one script call; a parent task then waits for its children."""
        moves: list[Move] = []
        parents: list[str] = []
        for d, outcome in zip(running, outcomes, strict=True):
            if isinstance(outcome, DomainError):
                d.outcome = metrics.DOMAIN_FAILURE
            task_id = _incoming(d).ctx.task_id
            if task_id is None or outcome is None:
                continue
            assert d.route is not None
            if isinstance(outcome, DomainError):
                error = TaskError(code=outcome.code, message=outcome.message)
                moves.append(Move(task_id, TaskState.FAILURE, error=error))
                continue
            if isinstance(outcome, AwaitChildren):
                result: Any = outcome.result.model_dump(mode="json")
            elif isinstance(outcome, Replayed):
                result = outcome.result
            else:
                result = outcome.model_dump(mode="json")
            if d.route.awaits_children:
                moves.append(Move(task_id, TaskState.STARTED, result=result))
                parents.append(task_id)
            else:
                moves.append(Move(task_id, TaskState.SUCCESS, result=result, progress=100.0))
        await self.backlog.report(self.status.move_many, moves)  # counted as they apply
        for parent in parents:
            await self.backlog.report(self.status.settle, parent)


def _incoming(d: _Delivery) -> Incoming:
    assert d.incoming is not None
    return d.incoming


def _task_id(d: _Delivery) -> str:
    task_id = _incoming(d).ctx.task_id
    assert task_id is not None
    return task_id


def _redelivered(raw: AbstractIncomingMessage) -> bool:
    count = (raw.headers or {}).get("x-delivery-count")
    return bool(raw.redelivered) or (isinstance(count, int) and count > 0)


async def _settle(deliveries: list[_Delivery]) -> None:
    """Ack what is settled (one ack per channel when all are); return the rest to the queue."""
    if all(d.settled for d in deliveries):
        last_of_channel = {id(d.raw.channel): d for d in deliveries}
        for d in last_of_channel.values():
            await _quietly(d.raw.ack(multiple=True))
        return
    for d in deliveries:
        await _quietly(d.raw.ack() if d.settled else d.raw.nack(requeue=True))


async def _quietly(settling: Any) -> None:
    """A delivery of a channel that has closed since cannot be settled: it comes back anyway."""
    with contextlib.suppress(Exception):
        await settling
