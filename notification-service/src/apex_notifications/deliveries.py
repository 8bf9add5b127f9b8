"""Webhook deliveries: fan an event out to the subscribed webhooks; POST one event to one URL."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from sqlalchemy import Row, Select, select
from sqlalchemy.dialects.postgresql import array

from apex_contracts import notifications as n
from apex_contracts import topology as t
from apex_runtime.errors import NotFound
from apex_runtime.retry import delay_for
from apex_runtime.tasks import MessageContext

from . import delivery_store as store
from .tables import webhooks
from .webhook_client import DeliveryDeferred, DeliveryRefused, SignedEvent, event_body
from .webhooks import Hooks

DELIVERY_KIND = "webhook.deliver"
# The events of one submission: their deliveries are planned (as child tasks of the submission)
# when it is accepted, so the task tree shows them before they happen.
SUBMISSION_EVENTS = (t.PROJECT_SUBMITTED, t.DOCUMENT_RENDERED, t.NOTIFICATION_EMAIL_SENT)


def delivery_task_id(
    parent_task_id: str | None, event_id: str, event_type: str, webhook_id: UUID
) -> str:
    """A submission's delivery task is named by (submission task, event type, webhook), so the
    task planned at submission and the one the event later runs are the same."""
    if parent_task_id:
        return str(
            uuid5(NAMESPACE_URL, f"apex:delivery:{parent_task_id}:{event_type}:{webhook_id}")
        )
    return str(n.delivery_id(event_id, webhook_id))


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
    now = datetime.now(UTC)
    async with hooks.sessions.begin() as session:
        rows = (await session.execute(_subscribed(ctx.account, watched))).all()
        targets = [
            store.NewDelivery(
                n.delivery_id(ctx.message_id, r.id),
                r.id,
                delivery_task_id(parent, ctx.message_id, event_type, r.id),
            )
            for r in rows
            if event_type in r.events
        ]
        pending = []
        if targets:
            await store.record_event(
                session, ctx.message_id, ctx.account, event_type, body.decode(), parent, now
            )
            pending = await store.record_deliveries(
                session, ctx.message_id, ctx.account, targets, now
            )
    owner = ctx.actor or "notification-service"
    if parent and event_type == t.PROJECT_SUBMITTED:
        await _plan_submission(hooks, rows, parent, ctx, owner)
    elif parent and event_type in SUBMISSION_EVENTS:
        await _skip_deleted(hooks, parent, event_type, ctx)
    for delivery, task_id in pending:
        await queue_delivery(hooks, n.DeliverWebhook(delivery_id=delivery), task_id, ctx, parent)
    return len(pending)


async def queue_delivery(
    hooks: Hooks, job: n.DeliverWebhook, task_id: str, ctx: MessageContext, parent: str | None
) -> None:
    """Create the delivery's task (a child of `parent`) and queue its job, once per message
    that asks (a redelivered one names the same job, which runs once)."""
    owner = ctx.actor or "notification-service"
    await hooks.status.create(task_id, DELIVERY_KIND, ctx.account, owner, parent_id=parent)
    await hooks.broker.publish(
        job.model_dump_json().encode(),
        queue=t.NOTIFICATION_DELIVERIES_QUEUE,
        # a uuid, as every message id: the inbox of a retry's or ping's attempt keys on it
        message_id=str(
            uuid5(NAMESPACE_URL, f"apex:delivery-job:{job.delivery_id}:{ctx.message_id}")
        ),
        correlation_id=task_id,
        headers={t.HEADER_ACCOUNT: ctx.account, t.HEADER_ACTOR: owner},
        content_type="application/json",
        persist=True,
    )


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


# Delivery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempted:
    """One POST: the receiver's 2xx status, or why it failed (retried or final)."""

    status: int | None
    failure: DeliveryRefused | DeliveryDeferred | None = None

    @property
    def delivered(self) -> bool:
        return self.failure is None

    @property
    def error(self) -> str | None:
        return None if self.failure is None else str(self.failure)


async def attempt(row: Row[Any], hooks: Hooks) -> Attempted:
    """POST the delivery's event to its webhook, signed with its secret now."""
    secret = hooks.box.open(row.secret_sealed, str(row.webhook_id))
    body = event_body(row.event_id, row.event_type, row.account, row.body)
    try:
        status = await hooks.client.post(
            row.url, secret, SignedEvent(row.event_id, row.event_type, body)
        )
    except (DeliveryRefused, DeliveryDeferred) as exc:
        return Attempted(exc.status, exc)
    return Attempted(status)


def result_of(
    row: Row[Any],
    outcome: Literal["delivered", "skipped", "failed"],
    status: int | None,
    attempts: int,
) -> n.DeliveryResult:
    return n.DeliveryResult(
        delivery_id=row.id,
        webhook_id=row.webhook_id,
        event_id=row.event_id,
        event_type=row.event_type,
        outcome=outcome,
        status=status,
        attempts=attempts,
    )


async def deliver(job: n.DeliverWebhook, ctx: MessageContext, hooks: Hooks) -> n.DeliveryResult:
    """POST the event to the webhook, signed; a delivered one is never POSTed again.

    A failure that a retry may mend is raised after its attempt is recorded, for the task
    runner to schedule the next one (`next_attempt_at` is that back-off's longest wait); the
    last attempt's, or a final one, leaves the delivery `failed`.
    """
    now = datetime.now(UTC)
    async with hooks.sessions.begin() as session:
        await store.lock(session, job.delivery_id, wait=True)  # a retry or ping attempting it
        row = await store.delivery(session, job.delivery_id, ctx.account)
        if row is None:
            raise NotFound(f"webhook delivery {job.delivery_id} not found")
        if row.state in ("delivered", "skipped"):
            return result_of(row, row.state, row.last_status, row.attempts)
        if row.deleted_at is not None:
            await store.record_attempt(
                session, row.id, "skipped", None, "the webhook was deleted", at=now, tried=False
            )
            return result_of(row, "skipped", None, row.attempts)
        tried = await attempt(row, hooks)
        more = isinstance(tried.failure, DeliveryDeferred) and ctx.attempt < hooks.max_attempts
        state = "delivered" if tried.delivered else "pending" if more else "failed"
        next_at = now + timedelta(seconds=delay_for(ctx.attempt)) if more else None
        await store.record_attempt(
            session, row.id, state, tried.status, tried.error, at=now, next_attempt_at=next_at
        )
    if tried.failure is not None:
        raise tried.failure
    return result_of(row, "delivered", tried.status, row.attempts + 1)
