"""`security.*` events: what the gateway refused at its door, for the audit log."""

from datetime import datetime
from typing import Literal

from .base import Message, example


class SecurityEvent(Message):
    account: str  # the caller's account, or SECURITY_ACCOUNT when it is not known
    actor: str | None  # the authenticated principal, when there is one
    client_ip: str
    method: str
    path: str
    occurred_at: datetime


class AuthFailed(SecurityEvent):
    """A request without valid credentials was answered `401`."""

    model_config = example(
        {
            "account": "_security",
            "actor": None,
            "client_ip": "203.0.113.7",
            "method": "GET",
            "path": "/projects",
            "occurred_at": "2026-12-01T09:31:12Z",
            "credential": "bearer",
            "reason": "token expired",
        }
    )

    credential: Literal["bearer", "api_key", "none"]
    reason: str


class RateLimited(SecurityEvent):
    """A request over its rate limit was answered `429`."""

    model_config = example(
        {
            "account": "demo",
            "actor": "dev",
            "client_ip": "203.0.113.7",
            "method": "POST",
            "path": "/projects",
            "occurred_at": "2026-12-01T09:32:40Z",
            "bucket": "demo:dev",
            "retry_after_s": 2,
        }
    )

    bucket: str  # `<account>:<principal>` or `ip:<address>`
    retry_after_s: int
