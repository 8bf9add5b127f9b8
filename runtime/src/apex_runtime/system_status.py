"""What `GET /admin/status` and `apex status` read from RabbitMQ: each consumed queue's depth
and consumers."""

import aio_pika
import yaml
from aio_pika.abc import AbstractChannel

from apex_contracts import ASYNCAPI_DOCUMENT
from apex_contracts import operations as o
from apex_contracts import topology as t

QUEUE_STATUS_TIMEOUT_S = 5.0


def consumed_queues() -> list[str]:
    """Every queue a service consumes, as the AsyncAPI document names them, then the dead
    letters."""
    document = yaml.safe_load(ASYNCAPI_DOCUMENT.read_bytes())
    names = {
        binding["queue"]["name"]
        for channel in document["channels"].values()
        if (binding := channel.get("bindings", {}).get("amqp", {})).get("is") == "queue"
    }
    return [*sorted(names), t.DEAD_LETTER_QUEUE]


async def queue_statuses(amqp_url: str, names: list[str]) -> list[o.QueueStatus]:
    """Ready messages and consumers of each queue, by passive declares (a missing queue closes
    the channel: the next one gets a new channel)."""
    found = []
    connection = await aio_pika.connect(amqp_url, timeout=QUEUE_STATUS_TIMEOUT_S)
    async with connection:
        channel: AbstractChannel | None = None
        for name in names:
            try:
                if channel is None or channel.is_closed:
                    channel = await connection.channel()
                declared = await channel.declare_queue(name, passive=True)
            except aio_pika.exceptions.ChannelClosed as exc:
                found.append(o.QueueStatus(name=name, error=f"not declared: {exc}"))
                channel = None
                continue
            count = declared.declaration_result
            found.append(
                o.QueueStatus(
                    name=name, messages=count.message_count, consumers=count.consumer_count
                )
            )
    return found
