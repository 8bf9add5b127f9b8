"""Deliveries a person asks for: a webhook's list of them, a retry now, a ping.

A retry or a ping is checked (and a ping's event recorded) on the commands queue, then made as
one attempt on the deliveries queue, so a slow receiver holds up no webhook command. The
attempt is a child task of the command's, which ends as the attempt did: `SUCCESS` when the
receiver answered 2xx, else `FAILURE` with what happened (`unavailable`: a 5xx, 408, 425, 429,
a timeout or no connection, worth another retry; `invalid`: another status or a refused
address; `conflict`: another attempt at the delivery was in flight). The attempt is recorded
on the delivery first, and a redelivered job answers as the first time without POSTing again.
"""

from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from apex_contracts import notifications as n
from apex_contracts import topology as t
from apex_contracts.tasks import ErrorCode, TaskError
from apex_runtime.errors import Conflict, DomainError, NotFound
from apex_runtime.tasks import AwaitChildren, MessageContext
from apex_runtime.unit_of_work import Transaction

from . import delivery_store as store
from .deliveries import attempt, queue_delivery, result_of
from .webhook_client import DeliveryDeferred
from .webhooks import Hooks, Sessions

ATTEMPT_CONSUMER = "webhook.attempt"  # the inbox's name for a retry's or ping's attempt


class DeliveryFailed(DomainError):
    """The attempt asked for was made, and the receiver did not take it."""


async def list_deliveries(
    query: n.ListWebhookDeliveries, ctx: MessageContext, sessions: Sessions
) -> n.WebhookDeliveryPage:
    async with sessions() as session:
        if not await store.live_webhook(session, ctx.account, query.webhook_id):
            raise NotFound(f"webhook {query.webhook_id} not found")
        return await store.page(session, ctx.account, query)


async def retry_delivery(
    cmd: n.RetryWebhookDelivery, ctx: MessageContext, hooks: Hooks
) -> AwaitChildren:
    """POST a delivery's event again now, whatever its state: a receiver that lost or
    mishandled one may ask for it again (it drops an `X-Apex-Event-Id` it has seen)."""
    async with hooks.sessions() as session:
        row = await store.delivery(session, cmd.delivery_id, ctx.account)
    if row is None or row.webhook_id != cmd.webhook_id or row.deleted_at is not None:
        raise NotFound(f"webhook delivery {cmd.delivery_id} not found")
    return await _plan_attempt(hooks, ctx, cmd.webhook_id, cmd.delivery_id, row.event_id)


async def ping_webhook(cmd: n.PingWebhook, ctx: MessageContext, hooks: Hooks) -> AwaitChildren:
    """Record a `webhook.ping` event for the webhook and attempt its delivery once; it joins
    the webhook's deliveries (`failed` if the receiver did not take it, until retried)."""
    event_id = str(cmd.event_id)
    delivery_id = n.delivery_id(event_id, cmd.webhook_id)
    attempt_task_id = _attempt_task_id(ctx)
    now = datetime.now(UTC)
    data = n.WebhookPing(
        webhook_id=cmd.webhook_id, account=ctx.account, actor=ctx.actor, occurred_at=now
    )
    async with hooks.sessions.begin() as session:
        if not await store.live_webhook(session, ctx.account, cmd.webhook_id):
            raise NotFound(f"webhook {cmd.webhook_id} not found")
        body = data.model_dump_json()
        await store.record_event(session, event_id, ctx.account, t.PING_EVENT_TYPE, body, None, now)
        new = store.NewDelivery(delivery_id, cmd.webhook_id, attempt_task_id)
        await store.record_deliveries(session, event_id, ctx.account, [new], now)
    return await _plan_attempt(hooks, ctx, cmd.webhook_id, delivery_id, event_id)


async def _plan_attempt(
    hooks: Hooks, ctx: MessageContext, webhook_id: UUID, delivery_id: UUID, event_id: str
) -> AwaitChildren:
    """Queue the attempt as a child task of the command's."""
    attempt_task_id = _attempt_task_id(ctx)
    job = n.DeliverWebhook(delivery_id=delivery_id, once=True)
    await queue_delivery(hooks, job, attempt_task_id, ctx, ctx.task_id)
    planned = n.DeliveryAttempt(
        webhook_id=webhook_id,
        delivery_id=delivery_id,
        event_id=event_id,
        attempt_task_id=attempt_task_id,
    )
    return AwaitChildren(planned)


def _attempt_task_id(ctx: MessageContext) -> str:
    """The attempt's task is named by its command's, so a redelivered command queues the same."""
    return str(uuid5(NAMESPACE_URL, f"apex:attempt:{ctx.task_id or ctx.message_id}"))


async def attempt_once(
    job: n.DeliverWebhook, ctx: MessageContext, hooks: Hooks
) -> n.DeliveryResult:
    """The one attempt of a retry or ping, recorded on the delivery; a failure is raised for
    its task once the record has committed."""

    async def work(tx: Transaction) -> n.DeliveryResult:
        if not await store.lock(tx.session, job.delivery_id, wait=False):
            raise Conflict(
                f"webhook delivery {job.delivery_id} is being attempted now; "
                "retry once that attempt has ended"
            )
        row = await store.delivery(tx.session, job.delivery_id, ctx.account)
        if row is None or row.deleted_at is not None:
            raise NotFound(f"webhook delivery {job.delivery_id} not found")
        now = datetime.now(UTC)
        tried = await attempt(row, hooks)
        # A failure leaves a delivered one delivered, and a pending event delivery to its
        # automatic attempts (they stop once one is delivered); a ping has none.
        automatic = row.state == "pending" and row.event_type != t.PING_EVENT_TYPE
        kept = row.state == "delivered" or automatic
        state = "delivered" if tried.delivered else row.state if kept else "failed"
        next_at = row.next_attempt_at if state == "pending" else None
        await store.record_attempt(
            tx.session, row.id, state, tried.status, tried.error, at=now, next_attempt_at=next_at
        )
        result = result_of(
            row, "delivered" if tried.delivered else "failed", tried.status, row.attempts + 1
        )
        if tried.failure is None:
            return result
        retried = isinstance(tried.failure, DeliveryDeferred)
        code = ErrorCode.UNAVAILABLE if retried else ErrorCode.INVALID
        message = f"webhook delivery {row.id}: {tried.failure}"
        return result.model_copy(update={"error": TaskError(code=code, message=message)})

    result = await hooks.uow.once(ctx, ATTEMPT_CONSUMER, n.DeliveryResult, work)
    if result.error is not None:
        raise DeliveryFailed(result.error.code, result.error.message)
    return result
