"""A real SMTP server in the test process (aiosmtpd) that a test can tell to refuse mail.

Start one for the whole session where the settings point (`APEX_SMTP_HOST`/`_PORT`):

    async with running_mailbox(settings.smtp_host, settings.smtp_port) as mailbox: ...

`mailbox.rules[recipient] = lambda attempt: "451 4.3.0 busy" or None` refuses RCPT for one
recipient; `await mailbox.wait_for(recipient)` returns the first message that reached them.
"""

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Mailbox:
    """aiosmtpd handler: keeps every message; `rules[recipient](attempt)` may refuse one."""

    loop: asyncio.AbstractEventLoop
    received: list[Received] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    rules: dict[str, Callable[[int], str | None]] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        attempt = self.attempts[address] = self.attempts.get(address, 0) + 1
        rule = self.rules.get(address)
        refusal = rule(attempt) if rule else None
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=default)
        assert isinstance(parsed, EmailMessage)
        # aiosmtpd runs in a thread of its own: hand the message to the test's loop
        self.loop.call_soon_threadsafe(self._arrived, Received(list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def _arrived(self, item: Received) -> None:
        self.received.append(item)
        self.changed.set()

    def to(self, recipient: str) -> list[EmailMessage]:
        return [r.message for r in self.received if recipient in r.rcpt_tos]

    async def wait_for(self, recipient: str, timeout_s: float = 20) -> EmailMessage:
        async with asyncio.timeout(timeout_s):
            while not self.to(recipient):
                self.changed.clear()
                await self.changed.wait()
        return self.to(recipient)[0]


@asynccontextmanager
async def running_mailbox(host: str, port: int) -> AsyncIterator[Mailbox]:
    """aiosmtpd on a fixed port: `Controller(port=0)` fails, as its start-up check connects to the
    port it was given, 0, not the one the system chose."""
    with socket.socket() as probe:
        assert probe.connect_ex((host, port)) != 0, f"{host}:{port} is taken"
    box = Mailbox(asyncio.get_running_loop())
    controller = Controller(box, hostname=host, port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
