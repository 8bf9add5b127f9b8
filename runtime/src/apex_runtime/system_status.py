"""Each consumed queue's depth and consumers, as RabbitMQ tells them: what `GET /admin/status`
and `apex status` show and what the services' `/metrics` export (`scraped_metrics`)."""

from collections.abc import Sequence
from functools import lru_cache

import aio_pika
import yaml
from aio_pika.abc import AbstractChannel, AbstractConnection

from apex_contracts import ASYNCAPI_DOCUMENT
from apex_contracts import operations as o
from apex_contracts import topology as t

QUEUE_STATUS_TIMEOUT_S = 5.0


@lru_cache(maxsize=1)
def consumed_queues() -> tuple[str, ...]:
    """Every queue a service consumes, as the AsyncAPI document names them, then the dead
    letters (read once: the document is package data)."""
    document = yaml.safe_load(ASYNCAPI_DOCUMENT.read_bytes())
    names = {
        binding["queue"]["name"]
        for channel in document["channels"].values()
        if (binding := channel.get("bindings", {}).get("amqp", {})).get("is") == "queue"
    }
    return (*sorted(names), t.DEAD_LETTER_QUEUE)


async def queue_statuses(amqp_url: str, names: Sequence[str]) -> list[o.QueueStatus]:
    """`statuses_on` a connection of its own, for one look (the admin route, `apex status`)."""
    connection = await aio_pika.connect(amqp_url, timeout=QUEUE_STATUS_TIMEOUT_S)
    async with connection:
        return await statuses_on(connection, names)


async def statuses_on(connection: AbstractConnection, names: Sequence[str]) -> list[o.QueueStatus]:
    """Ready messages and consumers of each queue, by passive declares; a queue that is not
    declared says so, and the others are still read (RabbitMQ closes the channel on it, so
    the next one gets a new channel)."""
    found = []
    channel: AbstractChannel | None = None
    try:
        for name in names:
            if channel is None or channel.is_closed:
                channel = await connection.channel()
            try:
                declared = await channel.declare_queue(name, passive=True)
            except aio_pika.exceptions.ChannelClosed as exc:
                found.append(o.QueueStatus(name=name, error=f"not declared: {exc}"))
                continue
            count = declared.declaration_result
            found.append(
                o.QueueStatus(
                    name=name, messages=count.message_count, consumers=count.consumer_count
                )
            )
    finally:
        if channel is not None and not channel.is_closed:
            await channel.close()
    return found
