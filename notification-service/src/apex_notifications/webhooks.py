"""Webhook use cases: register, delete and list an account's webhooks."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from faststream.rabbit import RabbitBroker
from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apex_contracts import notifications as n
from apex_contracts import topology as t
from apex_runtime.errors import Conflict, Invalid, NotFound
from apex_runtime.status_store import StatusStore
from apex_runtime.tasks import MessageContext
from apex_runtime.unit_of_work import Transaction, UnitOfWork

from .secret_box import SecretBox
from .tables import webhooks
from .targets import ForbiddenTarget, check_url
from .webhook_client import WebhookClient

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Hooks:
    """What the webhook use cases need, built once in `app.py`."""

    sessions: Sessions
    uow: UnitOfWork
    box: SecretBox
    client: WebhookClient
    status: StatusStore
    broker: RabbitBroker
    max_attempts: int  # of an event's automatic delivery


def view(row: Row[Any]) -> n.WebhookView:
    return n.WebhookView(
        webhook_id=row.id,
        url=row.url,
        events=list(row.events),
        created_by=row.created_by,
        created_at=row.created_at,
    )


# Registration ---------------------------------------------------------------------------


async def register_webhook(
    cmd: n.RegisterWebhook, ctx: MessageContext, hooks: Hooks
) -> n.WebhookView:
    try:
        await check_url(cmd.url, hooks.client.resolver)
    except ForbiddenTarget as exc:
        raise Invalid(f"url: {exc}") from exc

    async def work(tx: Transaction) -> n.WebhookView:
        existing = (
            await tx.session.execute(select(webhooks).where(webhooks.c.id == cmd.webhook_id))
        ).first()
        if existing is not None:
            if existing.account != ctx.account:
                raise Conflict(f"webhook id {cmd.webhook_id} is taken")
            return view(existing)
        count = (
            await tx.session.execute(
                select(func.count())
                .select_from(webhooks)
                .where(webhooks.c.account == ctx.account, webhooks.c.deleted_at.is_(None))
            )
        ).scalar_one()
        if count >= n.MAX_WEBHOOKS_PER_ACCOUNT:
            raise Conflict(f"an account has at most {n.MAX_WEBHOOKS_PER_ACCOUNT} webhooks")
        now = datetime.now(UTC)
        row = (
            await tx.session.execute(
                webhooks.insert()
                .values(
                    id=cmd.webhook_id,
                    account=ctx.account,
                    url=cmd.url,
                    events=list(cmd.events),
                    secret_sealed=hooks.box.seal(cmd.secret, str(cmd.webhook_id)),
                    created_by=ctx.actor,
                    created_at=now,
                )
                .returning(*webhooks.c)
            )
        ).one()
        event = n.WebhookRegistered(
            webhook_id=cmd.webhook_id,
            account=ctx.account,
            actor=ctx.actor,
            occurred_at=now,
            url=cmd.url,
            events=list(cmd.events),
        )
        await tx.emit(t.WEBHOOK_REGISTERED, event, str(cmd.webhook_id))
        return view(row)

    return await hooks.uow.once(ctx, t.WEBHOOK_REGISTER, n.WebhookView, work)


async def delete_webhook(cmd: n.DeleteWebhook, ctx: MessageContext, hooks: Hooks) -> n.WebhookView:
    async def work(tx: Transaction) -> n.WebhookView:
        row = (
            await tx.session.execute(
                update(webhooks)
                .where(
                    webhooks.c.id == cmd.webhook_id,
                    webhooks.c.account == ctx.account,
                    webhooks.c.deleted_at.is_(None),
                )
                .values(deleted_at=datetime.now(UTC))
                .returning(*webhooks.c)
            )
        ).first()
        if row is None:
            raise NotFound(f"webhook {cmd.webhook_id} not found")
        event = n.WebhookDeleted(
            webhook_id=cmd.webhook_id,
            account=ctx.account,
            actor=ctx.actor,
            occurred_at=row.deleted_at,
        )
        await tx.emit(t.WEBHOOK_DELETED, event, str(cmd.webhook_id))
        return view(row)

    return await hooks.uow.once(ctx, t.WEBHOOK_DELETE, n.WebhookView, work)


async def list_webhooks(ctx: MessageContext, sessions: Sessions) -> n.WebhookPage:
    async with sessions() as session:
        rows = (
            await session.execute(
                select(webhooks)
                .where(webhooks.c.account == ctx.account, webhooks.c.deleted_at.is_(None))
                .order_by(webhooks.c.created_at, webhooks.c.id)
            )
        ).all()
    return n.WebhookPage(items=[view(r) for r in rows])
