"""FastStream broker wiring shared by every service: exchanges, quorum queues, dead letters."""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aio_pika.abc import AbstractIncomingMessage
from faststream import AckPolicy, BaseMiddleware, ContextRepo
from faststream.exceptions import AckMessage
from faststream.message import StreamMessage
from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware
from faststream.rabbit.schemas import Channel
from pamqp.commands import Basic
from pydantic import ValidationError

from apex_contracts import topology as t
from apex_contracts.queries import QueryError, QueryReply
from apex_contracts.tasks import ErrorCode

from . import message_metrics as metrics
from .dead_letters import dead_letter
from .settings import Settings
from .status_store import StatusStore
from .telemetry import TraceContextMiddleware, spans_exported

log = logging.getLogger(__name__)

COMMANDS = RabbitExchange(t.COMMANDS_EXCHANGE, type=ExchangeType.TOPIC, durable=True)
QUERIES = RabbitExchange(t.QUERIES_EXCHANGE, type=ExchangeType.DIRECT, durable=True)
EVENTS = RabbitExchange(t.EVENTS_EXCHANGE, type=ExchangeType.TOPIC, durable=True)
RETRY = RabbitExchange(t.RETRY_EXCHANGE, type=ExchangeType.TOPIC, durable=True)
DEAD = RabbitExchange(t.DEAD_EXCHANGE, type=ExchangeType.TOPIC, durable=True)
ALL_EXCHANGES = (COMMANDS, QUERIES, EVENTS, RETRY, DEAD)
DEAD_LETTERS = RabbitQueue(t.DEAD_LETTER_QUEUE, queue_type=QueueType.QUORUM, routing_key="#")

# Every consumer acks after its effect committed; an exception requeues the message, and the
# quorum queue's delivery limit sends it to apex.dead once its attempts are spent.
ACK_POLICY = AckPolicy.NACK_ON_ERROR


def work_queue(
    name: str, routing_key: str, settings: Settings, *, max_length: int | None = None
) -> RabbitQueue:
    """A durable quorum queue that dead-letters into `apex.dead` after the delivery limit and
    refuses a publish beyond its bound (`reject-publish`: the publisher's confirm is a nack,
    nothing is dropped). Commands and queries: `command_queue_max_length` by default."""
    return RabbitQueue(
        name,
        queue_type=QueueType.QUORUM,
        routing_key=routing_key,
        arguments={
            "x-dead-letter-exchange": t.DEAD_EXCHANGE,
            "x-dead-letter-routing-key": name,
            "x-delivery-limit": settings.delivery_limit,
            "x-max-length": max_length or settings.command_queue_max_length,
            "x-overflow": "reject-publish",
        },
    )


def event_queue(name: str, routing_key: str, settings: Settings) -> RabbitQueue:
    """A subscriber's queue of events: bounded by `event_queue_max_length`. A full one nacks
    the publish, so the event stays unsent in its owner's outbox and is published again later
    (counted in `apex_outbox_publish_refused_total`): no event is lost."""
    return work_queue(name, routing_key, settings, max_length=settings.event_queue_max_length)


def query_queue(service: str, routing_key: str, settings: Settings) -> RabbitQueue:
    """The queue one query is served from; callers set a per-message expiration."""
    return work_queue(t.query_queue_name(service, routing_key), routing_key, settings)


def make_broker(settings: Settings, *, status: StatusStore | None = None) -> RabbitBroker:
    """A broker with publisher confirms, bounded prefetch, tracing and dead-lettering."""
    # Spans only when something reads them; the trace context travels either way.
    middlewares: list[Any] = [
        RabbitTelemetryMiddleware() if spans_exported() else TraceContextMiddleware,
        MeasureHandling,  # outside the dead-lettering below, so it counts what that decides
    ]
    if status is not None:
        middlewares.append(dead_letter_invalid(status))
    return RabbitBroker(
        settings.amqp_url,
        default_channel=Channel(
            prefetch_count=settings.prefetch, publisher_confirms=True, on_return_raises=False
        ),
        graceful_timeout=settings.shutdown_grace_s,
        ack_policy=ACK_POLICY,
        middlewares=middlewares,
        fail_fast=True,
        reconnect_interval=1.0,
        logger=logging.getLogger("faststream"),
        log_level=logging.DEBUG,  # one line per message is too much at INFO
    )


async def declare_topology(broker: RabbitBroker) -> None:
    """Declare the five exchanges and the dead-letter queue (idempotent)."""
    for exchange in ALL_EXCHANGES:
        await broker.declare_exchange(exchange)
    queue = await broker.declare_queue(DEAD_LETTERS)
    await queue.bind(t.DEAD_EXCHANGE, routing_key="#")


class MeasureHandling(BaseMiddleware):
    """Counts each FastStream delivery's outcome and duration (`message_metrics`): the outcome
    the handling code named, else a query's answer, else `success`; an exception requeues the
    message (`retry`)."""

    async def consume_scope(
        self,
        call_next: Callable[[StreamMessage[Any]], Awaitable[Any]],
        msg: StreamMessage[Any],
    ) -> Any:
        started = time.perf_counter()
        handling = metrics.Handling()
        token = metrics.HANDLING_NOW.set(handling)
        outcome = metrics.SUCCESS
        try:
            result = await call_next(msg)
            outcome = handling.outcome or metrics.outcome_of_reply(result) or metrics.SUCCESS
            return result
        except AckMessage:
            outcome = handling.outcome or metrics.SUCCESS
            raise
        except BaseException:
            outcome = handling.outcome or metrics.RETRY
            raise
        finally:
            metrics.HANDLING_NOW.reset(token)
            subscriber = self.context.get_local("handler_")
            queue = str(getattr(getattr(subscriber, "queue", None), "name", "") or "")
            metrics.meter(queue, routing_key_of(msg)).record(outcome, time.perf_counter() - started)


def dead_letter_invalid(
    status: StatusStore,
) -> Callable[[Any, ContextRepo], BaseMiddleware]:
    """Middleware: a body that fails validation goes to `apex.dead` with the error attached."""

    class DeadLetterInvalid(BaseMiddleware):
        async def consume_scope(
            self,
            call_next: Callable[[StreamMessage[Any]], Awaitable[Any]],
            msg: StreamMessage[Any],
        ) -> Any:
            try:
                return await call_next(msg)
            except ValidationError as exc:
                await _send_to_dead(msg, exc, status)
                raise AckMessage() from exc

    def factory(msg: Any, context: ContextRepo) -> BaseMiddleware:
        return DeadLetterInvalid(msg, context=context)

    return factory


async def _send_to_dead(msg: StreamMessage[Any], exc: ValidationError, status: StatusStore) -> None:
    raw = msg.raw_message
    reason = invalid_reason(field_errors(exc))
    if raw.reply_to:  # a query: answer the caller at once instead of letting it time out
        metrics.note(metrics.DOMAIN_FAILURE)
        reply = QueryReply(
            ok=False,
            error=QueryError(code=ErrorCode.INVALID, message=reason, fields=field_errors(exc)),
        )
        await raw.channel.basic_publish(
            reply.model_dump_json().encode(),
            exchange="",
            routing_key=raw.reply_to,
            properties=Basic.Properties(
                content_type="application/json", correlation_id=raw.correlation_id
            ),
        )
        return
    await dead_letter(raw, f"invalid message: {reason}", status)


def invalid_reason(errors: list[dict[str, str]]) -> str:
    """`field_errors` as one line, the reason a dead letter carries."""
    return "; ".join(f"{e['field']}: {e['message']}" for e in errors)[:2000]


def field_errors(exc: ValidationError, *, handler_parameter: bool = True) -> list[dict[str, str]]:
    """Pydantic errors as the envelope's `{field, message, type}` items.

    Through a FastStream handler the first element of each location names the handler's
    parameter, not a field of the body (`handler_parameter`); a model validated directly has
    no such element."""
    skip = 1 if handler_parameter else 0
    return [
        {"field": _field_of(e["loc"], skip), "message": e["msg"], "type": e["type"]}
        for e in exc.errors()
    ]


def _field_of(loc: tuple[int | str, ...], skip: int) -> str:
    path = ".".join(str(p) for p in loc[skip:])
    return path or (str(loc[0]) if loc else "")


def document_events(
    broker: RabbitBroker,
    events: dict[str, type[Any]],
    when: str = "after its transaction commits",
    exchange: RabbitExchange = EVENTS,
) -> None:
    """Declare the events (or, on `COMMANDS`, the commands) a broker's owner publishes in its
    AsyncAPI document: one channel per routing key, with the message's schema."""
    for routing_key, schema in events.items():
        broker.publisher(
            routing_key=routing_key,
            exchange=exchange,
            schema=schema,
            title=f"{routing_key}:publish",
            description=f"{schema.__name__}, published {when}.",
        )


def routing_key_of(msg: StreamMessage[Any]) -> str:
    """The key a message was published with; a copy back from a delay queue carries it."""
    return delivered_routing_key(msg.raw_message)


def delivered_routing_key(raw: AbstractIncomingMessage) -> str:
    """`routing_key_of` for a delivery read without FastStream."""
    original = (raw.headers or {}).get(t.HEADER_ROUTING_KEY)
    return str(original) if original else str(raw.routing_key or "")


def routed(key: str) -> Callable[[StreamMessage[Any]], Awaitable[bool]]:
    """A subscriber filter: messages published with routing key `key`."""

    async def matches(msg: StreamMessage[Any]) -> bool:
        return routing_key_of(msg) == key

    return matches
