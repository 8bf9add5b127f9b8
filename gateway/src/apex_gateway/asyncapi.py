"""What the gateway publishes, for the AsyncAPI document (nothing connects): every command,
by its routing key (the services subscribe to them by pattern, `project.*`), and the
`security.*` events (see `security_events.py`) and the `operator.*` events of `/admin`.
"""

from typing import Any

from faststream.rabbit import RabbitBroker

from apex_contracts import notifications as n
from apex_contracts import operators as ops
from apex_contracts import projects as c
from apex_contracts import security as s
from apex_contracts import topology as t
from apex_runtime.broker import COMMANDS, document_events
from apex_runtime.settings import Settings

# Each command the gateway's routes publish (`commands.accept` / `publish`), and its body
COMMANDS_PUBLISHED: dict[str, type[Any]] = {
    t.PROJECT_CREATE: c.CreateProject,
    t.PROJECT_UPDATE: c.UpdateProject,
    t.PROJECT_DELETE: c.DeleteProject,
    t.PROJECT_SAVE_PAYLOAD: c.SaveProjectPayload,
    t.PROJECT_SUBMIT: c.SubmitProject,
    t.WEBHOOK_REGISTER: n.RegisterWebhook,
    t.WEBHOOK_DELETE: n.DeleteWebhook,
    t.WEBHOOK_RETRY_DELIVERY: n.RetryWebhookDelivery,
    t.WEBHOOK_PING: n.PingWebhook,
}


def described_broker(settings: Settings) -> RabbitBroker:
    broker = RabbitBroker(settings.amqp_url)
    document_events(
        broker,
        COMMANDS_PUBLISHED,
        when="by the gateway with publisher confirms, its task recorded first (202 + task)",
        exchange=COMMANDS,
    )
    document_events(
        broker,
        {t.AUTH_FAILED: s.AuthFailed},
        when="by the gateway for each 401 (credentials missing or invalid), for the audit log",
    )
    document_events(
        broker,
        {t.RATE_LIMITED: s.RateLimited},
        when="by the gateway for each 429 (over the rate limit), for the audit log",
    )
    document_events(
        broker,
        {t.DEAD_LETTER_REPLAYED: ops.DeadLetterReplayed},
        when="by the gateway for each dead letter an operator replayed (/admin), once RabbitMQ "
        "confirmed the replay, for the audit log",
    )
    return broker
