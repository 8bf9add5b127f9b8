"""Sending over SMTP with aiosmtplib; each failure is either worth a retry or final."""

import logging
from email.message import EmailMessage

import aiosmtplib
from prometheus_client import Counter

from apex_contracts.tasks import ErrorCode
from apex_runtime.errors import DomainError
from apex_runtime.settings import Settings

log = logging.getLogger(__name__)
EMAILS = Counter(
    "apex_notifications_emails_total",
    "SMTP sends by outcome: sent, deferred (retried), refused (final)",
    ["outcome"],
)
SENT, DEFERRED, REFUSED = (EMAILS.labels(o) for o in ("sent", "deferred", "refused"))


class MailRefused(DomainError):
    """SMTP said no for good (5xx) or cannot be used as configured: no retry helps."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.INVALID, message)


class MailDeferred(Exception):
    """A transient SMTP failure (4xx, connection refused, timeout): retry later."""


def classify(exc: Exception) -> Exception:
    """The exception to raise for an SMTP failure: `MailRefused` (final) or `MailDeferred`."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        text = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        if codes and all(400 <= c < 500 for c in codes):
            return MailDeferred(f"recipient deferred: {text}")
        return MailRefused(f"recipient refused: {text}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        reply = f"{exc.code} {exc.message}"
        if 400 <= exc.code < 500:
            return MailDeferred(f"SMTP server deferred: {reply}")
        if exc.code >= 500:
            return MailRefused(f"SMTP server refused: {reply}")
        return MailDeferred(f"SMTP server answered {reply}")
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return MailRefused(f"SMTP server cannot do what is configured: {exc}")
    return MailDeferred(f"SMTP server unreachable: {type(exc).__name__}: {exc}")


class Mailer:
    """One SMTP session per message, configured by `APEX_SMTP_*`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> str:
        """Send `message`; returns the server's reply. Raises `MailRefused` or `MailDeferred`."""
        s = self.settings
        failure: Exception
        try:
            _, reply = await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_user,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                use_tls=s.smtp_tls,
                start_tls=s.smtp_starttls,
                timeout=s.smtp_timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            failure = classify(exc)
        else:
            SENT.inc()
            return reply
        (REFUSED if isinstance(failure, MailRefused) else DEFERRED).inc()
        # Raised outside the `except`, so the runtime does not see the OSError behind a refused
        # connection and treat it as an outage to wait out: each attempt counts, as for a 4xx.
        raise failure
