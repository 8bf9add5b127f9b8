"""SMTP failures: 4xx and unreachable servers are retried, 5xx fail at once."""

import aiosmtplib

from apex_notifications.mailer import MailDeferred, MailRefused, classify


def test_4xx_is_transient_and_5xx_permanent() -> None:
    assert isinstance(classify(aiosmtplib.SMTPDataError(451, "try later")), MailDeferred)
    assert isinstance(classify(aiosmtplib.SMTPDataError(554, "no")), MailRefused)
    assert isinstance(classify(aiosmtplib.SMTPSenderRefused(550, "no", "a@b.example")), MailRefused)


def test_refused_recipients_follow_their_codes() -> None:
    def refused(code: int) -> aiosmtplib.SMTPRecipientsRefused:
        return aiosmtplib.SMTPRecipientsRefused(
            [aiosmtplib.SMTPRecipientRefused(code, "nope", "pm@example.com")]
        )

    assert isinstance(classify(refused(450)), MailDeferred)
    assert isinstance(classify(refused(550)), MailRefused)


def test_connection_failures_are_transient() -> None:
    assert isinstance(classify(ConnectionRefusedError(111, "refused")), MailDeferred)
    assert isinstance(classify(aiosmtplib.SMTPConnectError("refused")), MailDeferred)
    assert isinstance(classify(aiosmtplib.SMTPServerDisconnected("gone")), MailDeferred)
