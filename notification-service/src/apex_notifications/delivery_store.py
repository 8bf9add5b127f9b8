"""The webhook events and deliveries in PostgreSQL: what is recorded, locked and listed."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from apex_contracts import notifications as n
from apex_contracts.pagination import decode_cursor, encode_cursor

from .tables import webhook_deliveries, webhook_events, webhooks

D = webhook_deliveries


@dataclass(frozen=True)
class NewDelivery:
    delivery_id: UUID
    webhook_id: UUID
    task_id: str


async def record_event(
    session: AsyncSession,
    event_id: str,
    account: str,
    event_type: str,
    body: str,
    parent_task_id: str | None,
    at: datetime,
) -> None:
    """The event as it arrived (once: a redelivered event keeps the first copy)."""
    await session.execute(
        insert(webhook_events)
        .values(
            event_id=event_id,
            account=account,
            event_type=event_type,
            body=body,
            parent_task_id=parent_task_id,
            received_at=at,
        )
        .on_conflict_do_nothing()
    )


async def record_deliveries(
    session: AsyncSession,
    event_id: str,
    account: str,
    deliveries: Sequence[NewDelivery],
    at: datetime,
) -> list[tuple[UUID, str]]:
    """One pending delivery per webhook (once per pair); the event's deliveries still pending."""
    await session.execute(
        insert(D)
        .values(
            [
                {
                    "id": d.delivery_id,
                    "event_id": event_id,
                    "webhook_id": d.webhook_id,
                    "account": account,
                    "task_id": d.task_id,
                    "state": "pending",
                    "attempts": 0,
                    "created_at": at,
                }
                for d in deliveries
            ]
        )
        .on_conflict_do_nothing()
    )
    rows = (
        await session.execute(
            select(D.c.id, D.c.task_id).where(D.c.event_id == event_id, D.c.state == "pending")
        )
    ).all()
    return [(r.id, r.task_id) for r in rows]


def _lock_key(delivery_id: UUID) -> int:
    return int.from_bytes(delivery_id.bytes[:8], "big", signed=True)


async def lock(session: AsyncSession, delivery_id: UUID, *, wait: bool) -> bool:
    """Hold the delivery for this transaction, so that one attempt at a time POSTs it; with
    `wait=False`, False at once when another attempt holds it."""
    take = func.pg_advisory_xact_lock if wait else func.pg_try_advisory_xact_lock
    held = (await session.execute(select(take(_lock_key(delivery_id))))).scalar_one()
    return wait or bool(held)


async def delivery(session: AsyncSession, delivery_id: UUID, account: str) -> Row[Any] | None:
    """The account's delivery with what an attempt needs: its webhook's URL and secret, its
    event's type and body."""
    return (
        await session.execute(
            select(
                D,
                webhooks.c.url,
                webhooks.c.secret_sealed,
                webhooks.c.deleted_at,
                webhook_events.c.event_type,
                webhook_events.c.body,
            )
            .join(webhooks, webhooks.c.id == D.c.webhook_id)
            .join(webhook_events, webhook_events.c.event_id == D.c.event_id)
            .where(D.c.id == delivery_id, D.c.account == account)
        )
    ).first()


async def record_attempt(
    session: AsyncSession,
    delivery_id: UUID,
    state: str,
    status: int | None,
    error: str | None,
    *,
    at: datetime,
    tried: bool = True,
    next_attempt_at: datetime | None = None,
) -> None:
    values: dict[str, Any] = {
        "state": state,
        "last_status": status,
        "last_error": error,
        "next_attempt_at": next_attempt_at,
    }
    if tried:
        values["attempts"] = D.c.attempts + 1
    if status is not None and 200 <= status < 300:
        values["delivered_at"] = at
    await session.execute(update(D).where(D.c.id == delivery_id).values(**values))


async def live_webhook(session: AsyncSession, account: str, webhook_id: UUID) -> bool:
    """Whether the account has this webhook, not deleted."""
    found = await session.execute(
        select(webhooks.c.id).where(
            webhooks.c.id == webhook_id,
            webhooks.c.account == account,
            webhooks.c.deleted_at.is_(None),
        )
    )
    return found.first() is not None


async def page(
    session: AsyncSession, account: str, query: n.ListWebhookDeliveries
) -> n.WebhookDeliveryPage:
    """A webhook's deliveries, newest first, keyset-paged on (created_at, id)."""
    conditions: list[Any] = [D.c.webhook_id == query.webhook_id, D.c.account == account]
    if query.status is not None:
        conditions.append(D.c.state == query.status)
    if query.cursor:
        created_at, last_id = decode_cursor(query.cursor)
        after = UUID(last_id)
        conditions.append(
            or_(D.c.created_at < created_at, and_(D.c.created_at == created_at, D.c.id < after))
        )
    rows = (
        await session.execute(
            select(D, webhook_events.c.event_type)
            .join(webhook_events, webhook_events.c.event_id == D.c.event_id)
            .where(*conditions)
            .order_by(D.c.created_at.desc(), D.c.id.desc())
            .limit(query.limit + 1)
        )
    ).all()
    shown = rows[: query.limit]
    more = len(rows) > query.limit
    next_cursor = encode_cursor(shown[-1].created_at, str(shown[-1].id)) if more else None
    return n.WebhookDeliveryPage(items=[_view(r) for r in shown], next_cursor=next_cursor)


def _view(row: Row[Any]) -> n.WebhookDeliveryView:
    return n.WebhookDeliveryView(
        delivery_id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=row.state,
        attempts=row.attempts,
        last_status_code=row.last_status,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at if row.state == "pending" else None,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )
