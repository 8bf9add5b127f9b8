"""Queues declared before their arguments changed (a new bound, say) are declared afresh.

RabbitMQ refuses to declare an existing queue with other arguments (`PRECONDITION_FAILED`,
and the channel closes), so a service whose queue arguments changed would not start. Before
FastStream declares its subscribers' queues, each is declared here on a channel of its own:
one that exists with other arguments is deleted and declared again when it is empty; one that
still holds messages stops the start and says what to do, because deleting it would lose them.
(A message published between the count and the delete would be lost too: quorum queues refuse
`if-empty`. Change queue arguments while the queue's publishers are stopped.)
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
        channel = await connection.channel()  # one for all, unless a refusal closes it
        for queue in queues:
            try:
                await _declare(channel, queue)
                continue
            except ChannelPreconditionFailed:
                channel = await connection.channel()  # RabbitMQ closed the other one
            existing = await channel.declare_queue(queue.name, passive=True)
            waiting = existing.declaration_result.message_count
            if waiting:
                raise QueueArgumentsChanged(
                    f"queue {queue.name!r} exists with other arguments than "
                    f"{queue.arguments} and holds {waiting} messages: let them be consumed "
                    "by the previous version, or move them, then delete the queue"
                )
            await channel.queue_delete(queue.name)
            await _declare(channel, queue)
            log.warning(
                "queue declared afresh with new arguments",
                extra={"queue": queue.name, "arguments": queue.arguments},
            )
            renewed.append(queue.name)
    return renewed


async def _declare(channel: aio_pika.abc.AbstractChannel, queue: RabbitQueue) -> None:
    await channel.declare_queue(
        queue.name,
        durable=queue.durable,
        exclusive=queue.exclusive,
        auto_delete=queue.auto_delete,
        arguments=queue.arguments,
    )
