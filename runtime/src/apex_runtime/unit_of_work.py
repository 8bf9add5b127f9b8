"""One transaction per message: the effect, its outbox events and its inbox record together."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apex_contracts import topology as t
from apex_contracts.base import Message

from .inbox import Inbox
from .outbox import Outbox, OutboxRelay
from .tasks import MessageContext

R = TypeVar("R", bound=BaseModel)


@dataclass
class Transaction:
    """What a handler sees: the session and a way to emit events after commit."""

    session: AsyncSession
    ctx: MessageContext
    outbox: Outbox
    emitted: list[str] = field(default_factory=list)

    async def emit(self, routing_key: str, event: Message, aggregate_id: str | None = None) -> None:
        headers: dict[str, Any] = {
            t.HEADER_ACCOUNT: self.ctx.account,
            t.HEADER_ACTOR: self.ctx.actor,
            t.HEADER_CAUSATION: self.ctx.message_id,
        }
        headers[t.HEADER_KIND] = routing_key
        mid = await self.outbox.add(
            self.session, routing_key, event, headers=headers, aggregate_id=aggregate_id
        )
        self.emitted.append(mid)


class UnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        inbox: Inbox,
        relay: OutboxRelay,
    ) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.inbox = inbox
        self.relay = relay

    async def once(
        self,
        ctx: MessageContext,
        consumer: str,
        reply_type: type[R],
        work: Callable[[Transaction], Awaitable[R]],
    ) -> R:
        """Run `work` exactly once per message id; a redelivery gets the first answer back."""
        async with self.sessions.begin() as session:
            if not await self.inbox.claim(session, ctx.message_id, consumer):
                previous = await self.inbox.result_of(session, ctx.message_id)
                return reply_type.model_validate(previous)
            tx = Transaction(session, ctx, self.outbox)
            result = await work(tx)
            await self.inbox.remember(session, ctx.message_id, result.model_dump(mode="json"))
        if tx.emitted:
            self.relay.wake()
        return result
