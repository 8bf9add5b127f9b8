"""Queues declared before their arguments changed (a new bound, say) are declared afresh.

RabbitMQ refuses to declare an existing queue with other arguments (`PRECONDITION_FAILED`,
and the channel closes), so a service whose queue arguments changed would not start. Before
FastStream declares its subscribers' queues, each is declared here on a channel of its own:
one that exists with other arguments is deleted and declared again when it is empty; one that
still holds messages stops the start and says what to do, because deleting it would lose them.
"""

import logging
from collections.abc import Iterable

import aio_pika
from aio_pika.exceptions import ChannelPreconditionFailed
from faststream.rabbit import RabbitQueue

log = logging.getLogger(__name__)


class QueueArgumentsChanged(RuntimeError):
    """A queue holding messages exists with other arguments than this version declares."""


async def redeclare_changed_queues(amqp_url: str, queues: Iterable[RabbitQueue]) -> list[str]:
    """Declare each queue as FastStream will; the names of those declared afresh."""
    renewed: list[str] = []
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for queue in queues:
            if await _declares(connection, queue):
                continue
            channel = await connection.channel()
            existing = await channel.declare_queue(queue.name, passive=True)
            waiting = existing.declaration_result.message_count
            if waiting:
                raise QueueArgumentsChanged(
                    f"queue {queue.name!r} exists with other arguments than "
                    f"{queue.arguments} and holds {waiting} messages: let them be consumed "
                    "by the previous version, or move them, then delete the queue"
                )
            await channel.queue_delete(queue.name)
            await channel.close()
            if not await _declares(connection, queue):
                raise QueueArgumentsChanged(f"queue {queue.name!r} cannot be declared")
            log.warning(
                "queue declared afresh with new arguments",
                extra={"queue": queue.name, "arguments": queue.arguments},
            )
            renewed.append(queue.name)
    return renewed


async def _declares(connection: aio_pika.abc.AbstractConnection, queue: RabbitQueue) -> bool:
    channel = await connection.channel()
    try:
        await channel.declare_queue(
            queue.name,
            durable=queue.durable,
            exclusive=queue.exclusive,
            auto_delete=queue.auto_delete,
            arguments=queue.arguments,
        )
    except ChannelPreconditionFailed:
        return False  # the channel is closed by RabbitMQ
    await channel.close()
    return True
