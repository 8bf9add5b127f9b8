"""notification-service wiring: every message it handles, and the handler each one goes to.

- `document.rendered` → email the PM (`notification-service.events`, task `email_pm`).
- `webhook.register` / `webhook.delete` commands, the `webhook.list` query.
- the deliveries view: `webhook.retry_delivery` / `webhook.ping` commands (each checked here
  and queued as one attempt on `notification-service.webhook-deliveries`, a child task of the
  command's), the `webhook.list_deliveries` query.
- every event a webhook may subscribe to → one delivery job per subscribed webhook
  (`notification-service.webhooks`), each job POSTed as a task of its own
  (`notification-service.webhook-deliveries`).
"""

import logging
from typing import Any

from faststream.rabbit.annotations import RabbitMessage

from apex_contracts import notifications as n
from apex_contracts import topology as t
from apex_contracts.documents import DocumentRendered
from apex_runtime.availability import is_unavailable
from apex_runtime.broker import (
    COMMANDS,
    EVENTS,
    QUERIES,
    document_events,
    event_queue,
    query_queue,
    routed,
    routing_key_of,
    work_queue,
)
from apex_runtime.db import make_sessions
from apex_runtime.queries import answer
from apex_runtime.retry import declare_delay_queues, schedule_retry
from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import DEVELOPMENT_SECRET, RELAXED_ENVIRONMENTS, Settings
from apex_runtime.tasks import MessageContext
from apex_runtime.unknown import refuse_unknown_command

from . import deliveries, handlers, on_demand, webhooks
from .composing import sender
from .documents import DocumentSource
from .mailer import Mailer
from .secret_box import SecretBox
from .tables import INBOX, OUTBOX
from .webhook_client import WebhookClient

SERVICE = "notification-service"
FAN_OUT_RETRY_ATTEMPT = 3  # schedule_retry waits 4 s for it
log = logging.getLogger(__name__)


def event_type_of(msg: RabbitMessage) -> str:
    """An event's routing key, also on a copy that came back from a delay queue or apex.dead."""
    key = routing_key_of(msg)
    if key in n.WEBHOOK_EVENT_TYPES:
        return key
    return str((msg.headers or {}).get(t.HEADER_KIND) or key)


def check_settings(settings: Settings) -> None:
    """Refuse to start on settings that cannot work (or are unsafe outside development)."""
    sender(settings.smtp_from)
    if settings.environment not in RELAXED_ENVIRONMENTS:
        if settings.webhook_secret_key.get_secret_value() == DEVELOPMENT_SECRET:
            raise ValueError("APEX_WEBHOOK_SECRET_KEY must be set outside development")
        if settings.webhook_allow_private:
            raise ValueError("APEX_WEBHOOK_ALLOW_PRIVATE is for development and tests only")


def build(settings: Settings) -> ServiceRuntime:
    check_settings(settings)
    rt = ServiceRuntime(SERVICE, settings, settings.notification_port, with_db=True)
    assert rt.engine is not None
    sessions = make_sessions(rt.engine)
    uow = rt.unit_of_work(OUTBOX, INBOX)
    documents = DocumentSource(rt.query_client(), settings.query_timeout_s)
    client = WebhookClient(settings.webhook_timeout_s, lambda: settings.webhook_allow_private)
    broker = rt.broker
    mailing = handlers.Mailing(settings, uow, Mailer(settings), documents, rt.status)
    hooks = webhooks.Hooks(
        sessions, uow, SecretBox(settings.webhook_secret_key.get_secret_value()), client,
        rt.status, broker, settings.max_attempts,
    )  # fmt: skip
    document_events(
        broker,
        {
            t.NOTIFICATION_EMAIL_SENT: n.EmailSent,
            t.WEBHOOK_REGISTERED: n.WebhookRegistered,
            t.WEBHOOK_DELETED: n.WebhookDeleted,
        },
    )

    emails = rt.task_runner(t.NOTIFICATION_EVENTS_QUEUE)

    @broker.subscriber(
        event_queue(t.NOTIFICATION_EVENTS_QUEUE, t.DOCUMENT_RENDERED, settings), EVENTS
    )
    async def on_document_rendered(event: DocumentRendered, msg: RabbitMessage) -> None:
        await emails.run(
            msg,
            lambda ctx: handlers.email_package(event, ctx, mailing),
            task_id=event.email_task_id,
        )

    tasks = rt.task_runner(t.NOTIFICATION_COMMANDS_QUEUE)
    commands = broker.subscriber(
        work_queue(t.NOTIFICATION_COMMANDS_QUEUE, "webhook.*", settings), COMMANDS
    )

    @commands(filter=routed(t.WEBHOOK_REGISTER))
    async def on_register(cmd: n.RegisterWebhook, msg: RabbitMessage) -> None:
        await tasks.run(msg, lambda ctx: webhooks.register_webhook(cmd, ctx, hooks))

    @commands(filter=routed(t.WEBHOOK_DELETE))
    async def on_delete(cmd: n.DeleteWebhook, msg: RabbitMessage) -> None:
        await tasks.run(msg, lambda ctx: webhooks.delete_webhook(cmd, ctx, hooks))

    @commands(filter=routed(t.WEBHOOK_RETRY_DELIVERY))
    async def on_retry_delivery(cmd: n.RetryWebhookDelivery, msg: RabbitMessage) -> None:
        await tasks.run(msg, lambda ctx: on_demand.retry_delivery(cmd, ctx, hooks))

    @commands(filter=routed(t.WEBHOOK_PING))
    async def on_ping(cmd: n.PingWebhook, msg: RabbitMessage) -> None:
        await tasks.run(msg, lambda ctx: on_demand.ping_webhook(cmd, ctx, hooks))

    @commands
    async def on_unknown(body: Any, msg: RabbitMessage) -> None:
        await refuse_unknown_command(msg, rt.status)

    @broker.subscriber(query_queue(SERVICE, t.WEBHOOK_LIST, settings), QUERIES)
    async def on_list(query: n.ListWebhooks, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: webhooks.list_webhooks(ctx, sessions))

    @broker.subscriber(query_queue(SERVICE, t.WEBHOOK_LIST_DELIVERIES, settings), QUERIES)
    async def on_list_deliveries(query: n.ListWebhookDeliveries, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: on_demand.list_deliveries(query, ctx, sessions))

    fan_out_queue = event_queue(t.NOTIFICATION_WEBHOOKS_QUEUE, t.PROJECT_SUBMITTED, settings)

    @broker.subscriber(fan_out_queue, EVENTS)
    async def on_event(body: Any, msg: RabbitMessage) -> None:
        event_type = event_type_of(msg)
        try:
            await deliveries.fan_out(msg.body, event_type, MessageContext.of(msg), hooks)
        except Exception as exc:
            if not is_unavailable(exc):
                raise  # a bug: requeued up to the delivery limit, then parked in apex.dead
            log.warning("fan-out waits for a dependency: %s", exc)
            # the same delay queues as every retry; the attempt stays (the cause was not its own)
            await schedule_retry(
                msg.raw_message, t.NOTIFICATION_WEBHOOKS_QUEUE, FAN_OUT_RETRY_ATTEMPT,
                count=False, routing_key=event_type,
            )  # fmt: skip

    posts = rt.task_runner(t.NOTIFICATION_DELIVERIES_QUEUE)
    delivery_queue = t.NOTIFICATION_DELIVERIES_QUEUE

    @broker.subscriber(work_queue(delivery_queue, delivery_queue, settings))
    async def on_delivery(job: n.DeliverWebhook, msg: RabbitMessage) -> None:
        attempt = on_demand.attempt_once if job.once else deliveries.deliver
        await posts.run(msg, lambda ctx: attempt(job, ctx, hooks))

    async def bind_event_types() -> None:
        """The fan-out queue hears every event type a webhook may subscribe to."""
        queue = await broker.declare_queue(fan_out_queue)
        await declare_delay_queues(broker, t.NOTIFICATION_WEBHOOKS_QUEUE)
        for event_type in n.WEBHOOK_EVENT_TYPES:
            await queue.bind(t.EVENTS_EXCHANGE, routing_key=event_type)

    rt.on_start(bind_event_types)
    rt.on_stop(client.close)
    return rt
