"""A client of the broker: confirmed command publishing and concurrent queries (the gateway's,
and each service's `ServiceRuntime.query_client()` for its peers' queries).

FastStream's `request()` holds one lock for the whole round trip, so the gateway talks to
RabbitMQ with aio-pika directly: many queries in flight over one direct reply-to consumer,
matched by `correlation_id`.
"""

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from typing import Any
from uuid import uuid4

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from pamqp.commands import Basic

from apex_contracts import topology as t
from apex_contracts.queries import QueryReply

from .telemetry import inject_trace, producer_span

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
REPLY_TO = "amq.rabbitmq.reply-to"
COMMAND_CONFIRM_TIMEOUT_S = 5.0
STALLED_AFTER_S = 1.0  # a confirm this late: RabbitMQ has stopped confirming, for now
PROBE_EVERY_S = 0.25  # the flow probe's publishes: an alarm is seen within this
PROBE_ROUTING_KEY = "apex.flow.probe"  # on the default exchange: routed nowhere, dropped
# A closed channel during a reconnect raises ChannelInvalidStateError, a RuntimeError.
BROKER_ERRORS = (
    aio_pika.exceptions.AMQPError,
    aiormq.exceptions.ChannelInvalidStateError,
    ConnectionError,
)


def _persistent(
    body: bytes, message_id: str, headers: dict[str, Any], correlation_id: str | None = None
) -> aio_pika.Message:
    """A JSON message RabbitMQ writes to disk (commands and events)."""
    return aio_pika.Message(
        body,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message_id,
        correlation_id=correlation_id,
        headers=headers,
    )


class BrokerUnavailable(Exception):
    """RabbitMQ cannot be reached or refused the message; the caller answers 503."""

    reason = "broker_unavailable"  # the label a refusal is counted under


class PublishingStopped(BrokerUnavailable):
    """Nothing was sent: RabbitMQ blocks publishers (a memory or disk alarm), or stopped
    confirming; a command would only wait in the socket and take effect later."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class QueueFull(BrokerUnavailable):
    """RabbitMQ nacked the message: a queue it routes to is at its bound (`reject-publish`),
    so nothing was enqueued."""

    reason = "queue_full"


def blocked_by_broker(connection: AbstractRobustConnection | None) -> bool:
    """Whether RabbitMQ has sent `connection.blocked` (an alarm) and not yet `unblocked`.

    aiormq tracks the notification in a private event and does not expose it; reading it here
    is pinned by `tests/e2e/test_flow_control.py`, which raises a real memory alarm."""
    transport = getattr(connection, "transport", None)
    underlay = getattr(transport, "connection", None)
    unblocked = getattr(underlay, "_Connection__connection_unblocked", None)
    return isinstance(unblocked, asyncio.Event) and not unblocked.is_set()


class FlowProbe:
    """Sees RabbitMQ's alarms before a command is caught by one.

    RabbitMQ tells a connection it is blocked only once that connection publishes during the
    alarm, and the publish that tells it is held in the socket until the alarm clears. So a
    connection of its own publishes an empty, unroutable message every `PROBE_EVERY_S`
    (nothing is stored; no confirm is awaited): an alarm blocks the probe, and commands are
    refused before any is sent."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self._connection: AbstractRobustConnection | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._connection is not None:
            return  # robust: it reconnects by itself
        self._connection = await aio_pika.connect_robust(
            self.url, reconnect_interval=1.0, client_properties={"connection_name": self.name}
        )
        channel = await self._connection.channel(publisher_confirms=False)
        self._task = asyncio.create_task(self._probe_forever(channel))

    async def _probe_forever(self, channel: AbstractChannel) -> None:
        probe = aio_pika.Message(b"", delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT)
        while True:
            if not self.blocked():  # once blocked, the broker says when it is unblocked
                try:
                    await channel.default_exchange.publish(
                        probe, PROBE_ROUTING_KEY, mandatory=False
                    )
                except (*BROKER_ERRORS, TimeoutError):
                    pass  # reconnecting: the command path sees that on its own
            await asyncio.sleep(PROBE_EVERY_S)

    def blocked(self) -> bool:
        return blocked_by_broker(self._connection)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()


def _blocked() -> PublishingStopped:
    return PublishingStopped(
        "broker_blocked",
        "RabbitMQ is blocking publishers (a memory or disk alarm); nothing was sent",
    )


class Unconfirmed:
    """The commands sent and not yet confirmed, oldest first: while the oldest has waited
    `stalled_after_s`, RabbitMQ has stopped confirming (or is blocked without saying so), and a
    new command would only wait behind it in the socket."""

    def __init__(self, stalled_after_s: float = STALLED_AFTER_S) -> None:
        self.stalled_after_s = stalled_after_s
        self._sent: OrderedDict[int, float] = OrderedDict()
        self._next = 0

    def sent(self) -> int:
        self._next += 1
        self._sent[self._next] = time.monotonic()
        return self._next

    def settled(self, token: int) -> None:
        self._sent.pop(token, None)

    def oldest_age_s(self) -> float:
        if not self._sent:
            return 0.0
        return time.monotonic() - next(iter(self._sent.values()))

    def stalled(self) -> bool:
        return self.oldest_age_s() >= self.stalled_after_s


class ConfirmTimedOut(Exception):
    """The message was handed to the connection but no confirm came in time, or the connection
    was lost before it came: RabbitMQ may have it (a blocked connection delivers it once
    unblocked; a dropped one may have routed it first), so its outcome is unknown."""


async def publish_confirmed(
    channel: aiormq.abc.AbstractChannel,
    exchange: str,
    routing_key: str,
    body: bytes,
    *,
    message_id: str,
    headers: dict[str, Any],
    correlation_id: str | None = None,
    mandatory: bool = False,
    timeout_s: float | None = None,
) -> None:
    """A persistent JSON message straight onto a confirming channel (no aio-pika message
    object); returns once RabbitMQ acked it, raises `QueueFull` if it nacked and
    `TimeoutError` if no confirm came within `timeout_s` (aiormq's own timer: one per publish).
    """
    try:
        confirmation = await channel.basic_publish(
            body,
            exchange=exchange,
            routing_key=routing_key,
            properties=Basic.Properties(
                content_type="application/json",
                delivery_mode=2,
                message_id=message_id,
                correlation_id=correlation_id,
                headers=headers,
            ),
            mandatory=mandatory,
            timeout=timeout_s,
        )
    except aiormq.exceptions.DeliveryError as exc:  # aiormq raises a nack as this
        if isinstance(exc.frame, Basic.Nack):
            raise QueueFull(f"{message_id} refused by RabbitMQ (a queue at its bound)") from exc
        raise
    if not isinstance(confirmation, Basic.Ack):
        raise BrokerUnavailable(f"{message_id} refused by RabbitMQ: {confirmation!r}")


class QueryTimeout(Exception):
    """No reply within the query's timeout; the caller answers 504."""


class BrokerClient:
    def __init__(
        self,
        url: str,
        name: str,
        confirm_timeout_s: float = COMMAND_CONFIRM_TIMEOUT_S,
        probe_flow: bool = False,
    ) -> None:
        self.url = url
        self.name = name  # the connection name operators see in RabbitMQ
        self.confirm_timeout_s = confirm_timeout_s
        self.unconfirmed = Unconfirmed()
        self.probe = FlowProbe(url, f"{name} flow probe") if probe_flow else None
        self._connection: AbstractRobustConnection | None = None
        self._commands: AbstractExchange | None = None
        self._command_channel: AbstractChannel | None = None
        self._events: AbstractExchange | None = None
        self._queries: AbstractExchange | None = None
        self._query_channel: AbstractChannel | None = None
        self._pending: dict[str, asyncio.Future[bytes]] = {}
        self._reply_channel: aiormq.abc.AbstractChannel | None = None
        self._reply_lock = asyncio.Lock()
        self._connector: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect now if RabbitMQ answers, else keep trying in the background.

        Until connected, commands and queries raise `BrokerUnavailable` (the gateway answers 503).
        """
        try:
            await self.connect()
        except (aio_pika.exceptions.AMQPError, OSError) as exc:
            log.warning("RabbitMQ unreachable (%r); retrying in the background", exc)
            self._connector = asyncio.create_task(self._connect_until_done())

    async def _connect_until_done(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            try:
                await self.connect()
            except (aio_pika.exceptions.AMQPError, OSError):
                continue
            log.info("connected to RabbitMQ")
            return

    async def connect(self) -> None:
        if self.probe is not None:
            await self.probe.start()
        self._connection = await aio_pika.connect_robust(
            self.url, reconnect_interval=1.0, client_properties={"connection_name": self.name}
        )
        self._command_channel = command_channel = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        self._commands = await command_channel.declare_exchange(
            t.COMMANDS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        self._events = await command_channel.declare_exchange(
            t.EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        # Replies arrive on the channel that published the request (direct reply-to rule).
        self._query_channel = await self._connection.channel(publisher_confirms=False)
        self._queries = await self._query_channel.declare_exchange(
            t.QUERIES_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True
        )
        await self._listen_for_replies()

    async def _listen_for_replies(self) -> None:
        """Consume direct replies on the channel that publishes the queries.

        aio-pika cannot restore this consumer after a reconnect (it would re-declare the
        reserved `amq.` queue and lose the channel), so it is started on each new underlying
        channel here, before the first query that uses it.
        """
        assert self._query_channel is not None
        channel = await self._query_channel.get_underlay_channel()
        if channel is self._reply_channel:
            return
        async with self._reply_lock:
            if channel is not self._reply_channel:
                await channel.basic_consume(REPLY_TO, self._on_reply, no_ack=True)
                self._reply_channel = channel

    async def close(self) -> None:
        if self._connector is not None:
            self._connector.cancel()
        if self.probe is not None:
            await self.probe.close()
        if self._connection is not None:
            await self._connection.close()
        for future in self._pending.values():
            future.cancel()

    @property
    def connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    def blocked(self) -> bool:
        """RabbitMQ blocks publishers: seen on the flow probe or on this connection."""
        return blocked_by_broker(self._connection) or (
            self.probe is not None and self.probe.blocked()
        )

    def stopped(self) -> PublishingStopped | None:
        """Why nothing should be published now, or None: RabbitMQ blocks this connection (an
        alarm), or has left a command unconfirmed for `STALLED_AFTER_S`."""
        if self.blocked():
            return _blocked()
        if self.unconfirmed.stalled():
            waited = self.unconfirmed.oldest_age_s()
            return PublishingStopped(
                "broker_not_confirming",
                f"RabbitMQ has not confirmed a command sent {waited:.1f} s ago; nothing was sent",
            )
        return None

    async def publish_command(
        self,
        routing_key: str,
        body: bytes,
        *,
        task_id: str,
        message_id: str,
        headers: dict[str, Any],
    ) -> None:
        """Publish a command and return once RabbitMQ confirmed it (persistent, mandatory).

        Raises `BrokerUnavailable` when it was refused or could not be sent (`PublishingStopped`
        before sending anything while RabbitMQ blocks or does not confirm, `QueueFull` when its
        queue is at its bound), `ConfirmTimedOut` when it was sent and no confirm came: in time,
        or before the connection was lost."""
        if self._commands is None or not self.connected:
            raise BrokerUnavailable("not connected to RabbitMQ")
        stopped = self.stopped()
        if stopped is not None:
            raise stopped
        attributes = {
            "messaging.system": "rabbitmq",
            "messaging.rabbitmq.destination.routing_key": routing_key,
            "messaging.message.id": message_id,
        }
        with producer_span(f"{t.COMMANDS_EXCHANGE} publish", attributes):
            carrier = dict(headers)
            inject_trace(carrier)
            # Straight onto the channel (no aio-pika message object): the channel raises for an
            # unroutable command (mandatory, on_return_raises) as aio-pika's publish did.
            assert self._command_channel is not None
            try:
                channel = await self._command_channel.get_underlay_channel()
            except BROKER_ERRORS as exc:
                raise BrokerUnavailable(f"no channel to publish on: {exc!r}") from exc
            if channel.is_closed:
                raise BrokerUnavailable("the command channel is closed (reconnecting)")
            token = self.unconfirmed.sent()
            try:
                await publish_confirmed(
                    channel,
                    t.COMMANDS_EXCHANGE,
                    routing_key,
                    body,
                    message_id=message_id,
                    headers=carrier,
                    correlation_id=task_id,
                    mandatory=True,
                    timeout_s=self.confirm_timeout_s,
                )
            except TimeoutError as exc:
                raise ConfirmTimedOut(
                    f"{message_id} not confirmed in {self.confirm_timeout_s:g} s"
                ) from exc
            except aiormq.exceptions.DeliveryError as exc:  # returned unroutable: not enqueued
                raise BrokerUnavailable(f"{message_id} refused by RabbitMQ: {exc!r}") from exc
            except BROKER_ERRORS as exc:  # the frame may have been routed before the loss
                raise ConfirmTimedOut(f"{message_id}: connection lost before its confirm") from exc
            finally:
                self.unconfirmed.settled(token)

    async def publish_event(
        self, routing_key: str, body: bytes, *, message_id: str, headers: dict[str, Any]
    ) -> None:
        """Publish an event to `apex.events` and return once RabbitMQ confirmed it."""
        if self._events is None or not self.connected:
            raise BrokerUnavailable("not connected to RabbitMQ")
        message = _persistent(body, message_id, headers)
        try:
            await self._events.publish(message, routing_key, mandatory=False, timeout=5)
        except (*BROKER_ERRORS, TimeoutError) as exc:
            raise BrokerUnavailable(f"event not confirmed: {exc!r}") from exc

    async def query(
        self, routing_key: str, body: bytes, *, headers: dict[str, Any], timeout_s: float
    ) -> QueryReply:
        """Ask a service and wait for its reply; the request expires with its timeout. While
        RabbitMQ blocks publishers the query is refused at once: its publish would wait."""
        if self._queries is None or not self.connected:
            raise BrokerUnavailable("not connected to RabbitMQ")
        if self.blocked():
            raise _blocked()
        correlation_id = uuid4().hex
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._pending[correlation_id] = future
        with tracer.start_as_current_span(f"{routing_key} request", kind=SpanKind.CLIENT):
            carrier = dict(headers)
            propagate.inject(carrier)
            message = aio_pika.Message(
                body,
                content_type="application/json",
                correlation_id=correlation_id,
                reply_to=REPLY_TO,
                expiration=timeout_s,
                headers=carrier,
            )
            try:
                await self._listen_for_replies()
                await self._queries.publish(message, routing_key, mandatory=False)
                raw = await asyncio.wait_for(future, timeout_s)
            except TimeoutError as exc:
                raise QueryTimeout(f"{routing_key} did not answer in {timeout_s:g} s") from exc
            except BROKER_ERRORS as exc:
                raise BrokerUnavailable(f"query failed: {exc!r}") from exc
            finally:
                self._pending.pop(correlation_id, None)
        return QueryReply.model_validate_json(raw)

    async def _on_reply(self, message: aiormq.abc.DeliveredMessage) -> None:
        future = self._pending.get(message.header.properties.correlation_id or "")
        if future is not None and not future.done():
            future.set_result(message.body)
