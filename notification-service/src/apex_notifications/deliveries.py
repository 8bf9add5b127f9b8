"""Webhook deliveries: fan an event out to the subscribed webhooks; POST one event to one URL."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from sqlalchemy import Row, Select, select, update
from sqlalchemy.dialects.postgresql import array, insert
from sqlalchemy.ext.asyncio import AsyncSession

from apex_contracts import notifications as n
from apex_contracts import topology as t
from apex_runtime.errors import NotFound
from apex_runtime.tasks import MessageContext

from .tables import webhook_deliveries, webhook_events, webhooks
from .webhook_client import DeliveryDeferred, DeliveryRefused, SignedEvent, event_body
from .webhooks import Hooks

DELIVERY_KIND = "webhook.deliver"
# The events of one submission: their deliveries are planned (as child tasks of the submission)
# when it is accepted, so the task tree shows them before they happen.
SUBMISSION_EVENTS = (t.PROJECT_SUBMITTED, t.DOCUMENT_RENDERED, t.NOTIFICATION_EMAIL_SENT)


def delivery_id(event_id: str, webhook_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"apex:delivery:{event_id}:{webhook_id}")


def delivery_task_id(
    parent_task_id: str | None, event_id: str, event_type: str, webhook_id: UUID
) -> str:
    """A submission's delivery task is named by (submission task, event type, webhook), so the
    task planned at submission and the one the event later runs are the same."""
    if parent_task_id:
        return str(
            uuid5(NAMESPACE_URL, f"apex:delivery:{parent_task_id}:{event_type}:{webhook_id}")
        )
    return str(delivery_id(event_id, webhook_id))


# Fan-out ---------------------------------------------------------------------------------


def _subscribed(account: str, event_types: tuple[str, ...]) -> Select[Any]:
    """The account's live webhooks that subscribe to any of `event_types`."""
    return select(webhooks.c.id, webhooks.c.events).where(
        webhooks.c.account == account,
        webhooks.c.deleted_at.is_(None),
        webhooks.c.events.has_any(array(list(event_types))),
    )


async def fan_out(body: bytes, event_type: str, ctx: MessageContext, hooks: Hooks) -> int:
    """Record an event for each subscribed webhook and queue one delivery job per webhook.

    Idempotent: a redelivered event finds its deliveries and re-queues the unfinished ones
    (a receiver deduplicates by `X-Apex-Event-Id`). Returns the number of jobs queued.
    """
    if event_type not in n.WEBHOOK_EVENT_TYPES or not ctx.account:
        return 0
    data = orjson.loads(body)
    parent = data.get("parent_task_id") if isinstance(data, dict) else None
    parent = str(parent) if parent else None
    watched = (
        (event_type, *SUBMISSION_EVENTS) if event_type == t.PROJECT_SUBMITTED else (event_type,)
    )
    async with hooks.sessions.begin() as session:
        rows = (await session.execute(_subscribed(ctx.account, watched))).all()
        targets = [r.id for r in rows if event_type in r.events]
        pending = (
            await _record_deliveries(session, body, event_type, parent, targets, ctx)
            if targets
            else []
        )
    owner = ctx.actor or "notification-service"
    if parent and event_type == t.PROJECT_SUBMITTED:
        await _plan_submission(hooks, rows, parent, ctx, owner)
    elif parent and event_type in SUBMISSION_EVENTS:
        await _skip_deleted(hooks, parent, event_type, ctx)
    for delivery, task_id in pending:
        await hooks.status.create(task_id, DELIVERY_KIND, ctx.account, owner, parent_id=parent)
        await hooks.broker.publish(
            n.DeliverWebhook(delivery_id=delivery).model_dump_json().encode(),
            queue=n.NOTIFICATION_DELIVERIES_QUEUE,
            message_id=f"{delivery}:{ctx.message_id}",
            correlation_id=task_id,
            headers={t.HEADER_ACCOUNT: ctx.account, t.HEADER_ACTOR: owner},
            content_type="application/json",
            persist=True,
        )
    return len(pending)


async def _plan_submission(
    hooks: Hooks, rows: Sequence[Row[Any]], parent: str, ctx: MessageContext, owner: str
) -> None:
    """Create the delivery tasks of every event of the submission now, as children."""
    for row in rows:
        for planned in SUBMISSION_EVENTS:
            if planned in row.events:
                task_id = delivery_task_id(parent, ctx.message_id, planned, row.id)
                await hooks.status.create(
                    task_id, DELIVERY_KIND, ctx.account, owner, parent_id=parent
                )


async def _skip_deleted(hooks: Hooks, parent: str, event_type: str, ctx: MessageContext) -> None:
    """A webhook deleted since the submission was planned delivers nothing: its planned task
    ends SUCCESS (skipped) so the submission can settle. A task never planned stays absent."""
    async with hooks.sessions() as session:
        gone = (
            await session.execute(
                select(webhooks.c.id).where(
                    webhooks.c.account == ctx.account,
                    webhooks.c.deleted_at.is_not(None),
                    webhooks.c.events.has_any(array([event_type])),
                )
            )
        ).all()
    for row in gone:
        task_id = delivery_task_id(parent, ctx.message_id, event_type, row.id)
        await hooks.status.succeed(task_id, {"outcome": "skipped", "reason": "webhook deleted"})


async def _record_deliveries(
    session: AsyncSession,
    body: bytes,
    event_type: str,
    parent: str | None,
    targets: list[UUID],
    ctx: MessageContext,
) -> list[tuple[UUID, str]]:
    await session.execute(
        insert(webhook_events)
        .values(
            event_id=ctx.message_id,
            account=ctx.account,
            event_type=event_type,
            body=body.decode(),
            parent_task_id=parent,
            received_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing()
    )
    await session.execute(
        insert(webhook_deliveries)
        .values(
            [
                {
                    "id": delivery_id(ctx.message_id, webhook_id),
                    "event_id": ctx.message_id,
                    "webhook_id": webhook_id,
                    "account": ctx.account,
                    "task_id": delivery_task_id(parent, ctx.message_id, event_type, webhook_id),
                    "state": "pending",
                    "attempts": 0,
                }
                for webhook_id in targets
            ]
        )
        .on_conflict_do_nothing()
    )
    rows = (
        await session.execute(
            select(webhook_deliveries.c.id, webhook_deliveries.c.task_id).where(
                webhook_deliveries.c.event_id == ctx.message_id,
                webhook_deliveries.c.state == "pending",
            )
        )
    ).all()
    return [(r.id, r.task_id) for r in rows]


# Delivery --------------------------------------------------------------------------------


async def deliver(job: n.DeliverWebhook, ctx: MessageContext, hooks: Hooks) -> n.DeliveryResult:
    """POST the event to the webhook, signed; a delivered one is never POSTed again."""
    async with hooks.sessions() as session:
        row = (
            await session.execute(
                select(
                    webhook_deliveries,
                    webhooks.c.url,
                    webhooks.c.secret_sealed,
                    webhooks.c.deleted_at,
                    webhook_events.c.event_type,
                    webhook_events.c.body,
                )
                .join(webhooks, webhooks.c.id == webhook_deliveries.c.webhook_id)
                .join(webhook_events, webhook_events.c.event_id == webhook_deliveries.c.event_id)
                .where(
                    webhook_deliveries.c.id == job.delivery_id,
                    webhook_deliveries.c.account == ctx.account,
                )
            )
        ).first()
    if row is None:
        raise NotFound(f"webhook delivery {job.delivery_id} not found")

    def result(outcome: str, status: int | None, attempts: int) -> n.DeliveryResult:
        return n.DeliveryResult(
            delivery_id=row.id,
            webhook_id=row.webhook_id,
            event_id=row.event_id,
            event_type=row.event_type,
            outcome="delivered" if outcome == "delivered" else "skipped",
            status=status,
            attempts=attempts,
        )

    if row.state in ("delivered", "skipped"):
        return result(row.state, row.last_status, row.attempts)
    if row.deleted_at is not None:
        await _record_attempt(hooks, row.id, "skipped", None, "the webhook was deleted", False)
        return result("skipped", None, row.attempts)
    secret = hooks.box.open(row.secret_sealed, str(row.webhook_id))
    signed = SignedEvent(
        row.event_id,
        row.event_type,
        event_body(row.event_id, row.event_type, row.account, row.body),
    )
    try:
        status = await hooks.client.post(row.url, secret, signed)
    except DeliveryRefused as exc:
        await _record_attempt(hooks, row.id, "failed", exc.status, exc.message, True)
        raise
    except DeliveryDeferred as exc:
        await _record_attempt(hooks, row.id, "pending", exc.status, str(exc), True)
        raise
    await _record_attempt(hooks, row.id, "delivered", status, None, True)
    return result("delivered", status, row.attempts + 1)


async def _record_attempt(
    hooks: Hooks, delivery: UUID, state: str, status: int | None, error: str | None, tried: bool
) -> None:
    values: dict[str, Any] = {"state": state, "last_status": status, "last_error": error}
    if tried:
        values["attempts"] = webhook_deliveries.c.attempts + 1
    if state == "delivered":
        values["delivered_at"] = datetime.now(UTC)
    async with hooks.sessions.begin() as session:
        await session.execute(
            update(webhook_deliveries).where(webhook_deliveries.c.id == delivery).values(**values)
        )
