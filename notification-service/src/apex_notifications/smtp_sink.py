"""A local SMTP sink for `make up`: every message is kept as an .eml file and logged.

`python -m apex_notifications.smtp_sink` listens on `APEX_SMTP_HOST:APEX_SMTP_PORT`
(127.0.0.1:8025) and writes each message to `APEX_MAIL_DIR` (var/mail/). When
`APEX_SMTP_HOST` names another machine there is nothing to catch: it exits at once (0).
Read what it caught with any mail reader (each file is one RFC 5322 message), or
`ls -t var/mail | head` and `less var/mail/<file>.eml`.
"""

import asyncio
import logging
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from uuid import uuid4

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from apex_runtime.logs import setup_logging
from apex_runtime.service import serve_until_signalled
from apex_runtime.settings import get_settings

log = logging.getLogger("apex_notifications.smtp_sink")
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})


class MailDir:
    """aiosmtpd handler: accept every message and write it to `<directory>/<time>-<id>.eml`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = self.directory / f"{stamp}-{uuid4().hex[:8]}.eml"
        await asyncio.to_thread(path.write_bytes, content)
        parsed = message_from_bytes(content, policy=default)
        log.info(
            "mail caught",
            extra={
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "subject": str(parsed.get("Subject", "")),
                "bytes": len(content),
                "path": str(path),
            },
        )
        return "250 Message accepted for delivery"


def should_run(host: str) -> bool:
    """Only a host on this machine is ours to serve."""
    return host in LOCAL_HOSTS or host.startswith("127.")


def main() -> int:
    settings = get_settings()
    setup_logging("smtp-sink", settings.log_level)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP verb
    if not should_run(settings.smtp_host):
        log.info("APEX_SMTP_HOST is %s: no local SMTP sink needed", settings.smtp_host)
        return 0
    controller = Controller(
        MailDir(Path(settings.mail_dir)),
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        data_size_limit=64 * 1024 * 1024,
    )

    async def start() -> None:
        controller.start()
        log.info(
            "SMTP sink listening on %s:%d, writing to %s",
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_dir,
        )

    async def stop() -> None:
        controller.stop()

    asyncio.run(serve_until_signalled(start, stop))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
