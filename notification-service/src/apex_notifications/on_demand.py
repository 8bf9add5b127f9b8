"""Deliveries a person asks for: a webhook's list of them, a retry now, a ping.

A retry or a ping is one attempt, made in its command's task and reported by it: `SUCCESS`
when the receiver answered 2xx, else `FAILURE` with what happened (`unavailable`: a 5xx, 408,
425, 429, a timeout or no connection, worth another retry; `invalid`: another status or a
refused address). Either way the attempt is recorded on the delivery first, and a redelivered
command answers as the first time without POSTing again.
"""

from datetime import UTC, datetime
from uuid import UUID

from apex_contracts import notifications as n
from apex_contracts.tasks import ErrorCode, TaskError
from apex_runtime.errors import Conflict, DomainError, NotFound
from apex_runtime.tasks import MessageContext
from apex_runtime.unit_of_work import Transaction

from . import delivery_store as store
from .deliveries import attempt, result_of
from .webhook_client import DeliveryDeferred
from .webhooks import Hooks, Sessions


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
) -> n.DeliveryResult:
    """POST a delivery's event again now, whatever its state: a receiver that lost or
    mishandled one may ask for it again (it drops an `X-Apex-Event-Id` it has seen)."""

    async def work(tx: Transaction) -> n.DeliveryResult:
        await _owned(tx, cmd.webhook_id, cmd.delivery_id)
        if not await store.lock(tx.session, cmd.delivery_id, wait=False):
            raise Conflict(
                f"webhook delivery {cmd.delivery_id} is being attempted now; "
                "retry once that attempt has ended"
            )
        return await _attempt_now(tx, cmd.delivery_id, hooks, last=False)

    return settled(await hooks.uow.once(ctx, n.WEBHOOK_RETRY_DELIVERY, n.DeliveryResult, work))


async def ping_webhook(cmd: n.PingWebhook, ctx: MessageContext, hooks: Hooks) -> n.DeliveryResult:
    """Deliver a `webhook.ping` event to the webhook, once; it joins the webhook's deliveries
    (`failed` if the receiver did not take it, and not retried but on request)."""

    async def work(tx: Transaction) -> n.DeliveryResult:
        if not await store.live_webhook(tx.session, ctx.account, cmd.webhook_id):
            raise NotFound(f"webhook {cmd.webhook_id} not found")
        now = datetime.now(UTC)
        event_id = str(cmd.event_id)
        data = n.WebhookPing(
            webhook_id=cmd.webhook_id, account=ctx.account, actor=ctx.actor, occurred_at=now
        )
        delivery_id = n.delivery_id(event_id, cmd.webhook_id)
        new = store.NewDelivery(delivery_id, cmd.webhook_id, ctx.task_id or str(delivery_id))
        await store.record_event(
            tx.session, event_id, ctx.account, n.PING_EVENT_TYPE, data.model_dump_json(), None, now
        )
        await store.record_deliveries(tx.session, event_id, ctx.account, [new], now)
        await store.lock(tx.session, delivery_id, wait=True)
        return await _attempt_now(tx, delivery_id, hooks, last=True)

    return settled(await hooks.uow.once(ctx, n.WEBHOOK_PING, n.DeliveryResult, work))


async def _owned(tx: Transaction, webhook_id: UUID, delivery_id: UUID) -> None:
    """A delivery of this live webhook of the account's; anything else does not exist."""
    row = await store.delivery(tx.session, delivery_id, tx.ctx.account)
    if row is None or row.webhook_id != webhook_id or row.deleted_at is not None:
        raise NotFound(f"webhook delivery {delivery_id} not found")


async def _attempt_now(
    tx: Transaction, delivery_id: UUID, hooks: Hooks, *, last: bool
) -> n.DeliveryResult:
    """One attempt at a delivery held by this transaction, recorded on it. Unless it is the
    `last` (a ping's), a failure leaves a pending delivery to its automatic attempts (they
    stop once one is delivered) and a delivered one delivered."""
    row = await store.delivery(tx.session, delivery_id, tx.ctx.account)
    assert row is not None  # held, and owned: deliveries are never deleted
    now = datetime.now(UTC)
    tried = await attempt(row, hooks)
    kept = not last and row.state in ("pending", "delivered")
    state = "delivered" if tried.delivered else row.state if kept else "failed"
    next_at = row.next_attempt_at if state == "pending" else None
    await store.record_attempt(
        tx.session, delivery_id, state, tried.status, tried.error, at=now, next_attempt_at=next_at
    )
    result = result_of(
        row, "delivered" if tried.delivered else "failed", tried.status, row.attempts + 1
    )
    if tried.failure is None:
        return result
    retried = isinstance(tried.failure, DeliveryDeferred)
    code = ErrorCode.UNAVAILABLE if retried else ErrorCode.INVALID
    message = f"webhook delivery {delivery_id}: {tried.failure}"
    return result.model_copy(update={"error": TaskError(code=code, message=message)})


def settled(result: n.DeliveryResult) -> n.DeliveryResult:
    """The attempt's result, or its failure raised for the task to end with."""
    if result.error is not None:
        raise DeliveryFailed(result.error.code, result.error.message)
    return result
