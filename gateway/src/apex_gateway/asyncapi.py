"""What the gateway publishes besides commands, for the AsyncAPI document (nothing connects).

Commands appear there as the services' subscriptions; the `security.*` events the gateway
publishes itself (see `security_events.py`) are described here.
"""

from faststream.rabbit import RabbitBroker

from apex_contracts import security as s
from apex_runtime.broker import document_events
from apex_runtime.settings import Settings


def described_broker(settings: Settings) -> RabbitBroker:
    broker = RabbitBroker(settings.amqp_url)
    document_events(
        broker,
        {s.AUTH_FAILED: s.AuthFailed},
        when="by the gateway for each 401 (credentials missing or invalid), for the audit log",
    )
    document_events(
        broker,
        {s.RATE_LIMITED: s.RateLimited},
        when="by the gateway for each 429 (over the rate limit), for the audit log",
    )
    return broker
