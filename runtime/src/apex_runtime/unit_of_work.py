"""Transactions with an inbox and an outbox: a message's effect, the record that it was
processed and the events it caused commit together; the events are published right after.

`once` runs one message; `batch` runs many in one transaction, which is where the throughput
comes from (a commit costs the same for one row or a hundred).
"""

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry.context import Context
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apex_contracts import topology as t
from apex_contracts.base import Message

from .errors import DomainError
from .inbox import Inbox
from .outbox import Outbox, OutboxRelay, OutboxRow
from .tasks import AwaitChildren, MessageContext

R = TypeVar("R", bound=BaseModel)


@dataclass
class Transaction:
    """What a handler sees: the session, and `emit` for events published after commit."""

    session: AsyncSession
    ctx: MessageContext  # the message being handled; a batch sets it per message
    events: list[OutboxRow] = field(default_factory=list)

    @contextmanager
    def handling(self, item: "Incoming") -> Iterator[None]:
        """Within a batch: what follows is `item`'s (its headers, its trace)."""
        self.ctx = item.ctx
        token = otel_context.attach(item.trace) if item.trace is not None else None
        try:
            yield
        finally:
            if token is not None:
                otel_context.detach(token)

    async def emit(self, routing_key: str, event: Message, aggregate_id: str | None = None) -> None:
        headers: dict[str, Any] = {
            t.HEADER_ACCOUNT: self.ctx.account,
            t.HEADER_ACTOR: self.ctx.actor,
            t.HEADER_CAUSATION: self.ctx.message_id,
            t.HEADER_KIND: routing_key,
        }
        self.events.append(
            Outbox.row(routing_key, event, headers=headers, aggregate_id=aggregate_id)
        )


@dataclass(frozen=True)
class Replayed:
    """The stored answer of a message handled before (a redelivery): JSON, as reported."""

    result: Any


Outcome = BaseModel | AwaitChildren | DomainError | Replayed


@dataclass(frozen=True)
class Incoming:
    """A validated message of a batch: its body, who sent it, and its routing key."""

    routing_key: str
    body: Any
    ctx: MessageContext
    inbox: bool = True  # False: idempotent by its own key (the handler says so where it runs)
    trace: Context | None = None  # the message's consumer span: its SQL and events join it


BatchWork = Callable[[Sequence[Incoming], Transaction], Awaitable[list[Outcome]]]


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
            if not await self.inbox.claim_many(session, [ctx.message_id], consumer):
                previous = await self.inbox.results_of(session, [ctx.message_id])
                return reply_type.model_validate(previous.get(ctx.message_id))
            tx = Transaction(session, ctx)
            result = await work(tx)
            await self.inbox.remember_many(
                session, {ctx.message_id: result.model_dump(mode="json")}
            )
            await self.outbox.insert(session, tx.events)
        await self.relay.publish_committed(tx.events)
        return result

    async def batch(
        self, items: Sequence[Incoming], consumer: str, work: BatchWork
    ) -> list[Outcome]:
        """Run `work` over every message of `items` in one transaction, once per message id.

        A message seen before gets its first answer back without running again. `work` returns
        one outcome per message it was given, in order; a `DomainError` outcome means that
        message changed nothing (its claim is released, so a redelivery is judged afresh).
        """
        async with self.sessions.begin() as session:
            claimed = await self.inbox.claim_many(
                session, [i.ctx.message_id for i in items if i.inbox], consumer
            )
            fresh, once = [], set()  # a message id twice in one batch runs once
            for i in items:
                if i.ctx.message_id not in once and (not i.inbox or i.ctx.message_id in claimed):
                    fresh.append(i)
                    once.add(i.ctx.message_id)
            seen = [i.ctx.message_id for i in items if i.inbox and i.ctx.message_id not in claimed]
            earlier = await self.inbox.results_of(session, seen)
            tx = Transaction(session, items[0].ctx)
            outcomes = await work(fresh, tx) if fresh else []
            by_message = {i.ctx.message_id: o for i, o in zip(fresh, outcomes, strict=True)}
            await self.inbox.remember_many(
                session,
                {
                    i.ctx.message_id: _stored(o)
                    for i, o in zip(fresh, outcomes, strict=True)
                    if i.inbox and not isinstance(o, DomainError)
                },
            )
            await self.inbox.release(
                session,
                [
                    i.ctx.message_id
                    for i, o in zip(fresh, outcomes, strict=True)
                    if i.inbox and isinstance(o, DomainError)
                ],
            )
            await self.outbox.insert(session, tx.events)
        await self.relay.publish_committed(tx.events)
        return [
            by_message[i.ctx.message_id]
            if i.ctx.message_id in by_message
            else Replayed(earlier.get(i.ctx.message_id))
            for i in items
        ]


def _stored(outcome: Outcome) -> Any:
    model = outcome.result if isinstance(outcome, AwaitChildren) else outcome
    assert isinstance(model, BaseModel)
    return model.model_dump(mode="json")
