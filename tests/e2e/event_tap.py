"""A queue of the suite's own on `apex.events`: every event any service publishes while the
end-to-end tests run is kept here, exactly as it went out, to be checked against AsyncAPI.
Events a test makes up itself (the audit tests' arbitrary payloads, marked with the AMQP
`app_id` "apex-tests") are not the services' and are left out."""

from dataclasses import dataclass, field

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from apex_contracts.topology import EVENTS_EXCHANGE

TEST_PUBLISHER = "apex-tests"  # the app_id of events tests make up (test_audit_log.publish)


@dataclass(frozen=True)
class TappedEvent:
    routing_key: str
    body: bytes
    content_type: str | None


@dataclass
class EventTap:
    amqp_url: str
    seen: list[TappedEvent] = field(default_factory=list)
    _connection: AbstractRobustConnection | None = None

    async def start(self) -> None:
        """Bind before the first test: the exchange exists once the services have started."""
        self._connection = await aio_pika.connect_robust(self.amqp_url)
        channel = await self._connection.channel()
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)  # passive: declared by services
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key="#")
        await queue.consume(self._keep, no_ack=True)

    async def _keep(self, message: AbstractIncomingMessage) -> None:
        if message.app_id == TEST_PUBLISHER:
            return
        self.seen.append(TappedEvent(message.routing_key or "", message.body, message.content_type))

    def keys(self) -> set[str]:
        return {event.routing_key for event in self.seen}

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
