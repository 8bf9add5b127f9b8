"""The PM's email end to end: a real SMTP server (aiosmtpd) in this process, the real broker,
database and task store. Retries go through the delay queues; parked messages through apex.dead.

A real submission shows the whole path (document-service renders, the PDF is attached); the other
tests publish `document.rendered` themselves, for a package over the attachment limit so that no
PDF has to be fetched, and steer the SMTP server to defer or refuse.
"""

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aiohttp
import pytest
from sqlalchemy import text

from apex_contracts import topology as t
from apex_contracts.documents import (
    DocumentRendered,
)
from apex_runtime.broker import EVENTS
from apex_runtime.service import ServiceRuntime

from .conftest import System
from .helpers import call, create_project, run_cli
from .mailbox import Mailbox, running_mailbox

FINAL = ("SUCCESS", "FAILURE", "REVOKED")
DOCUMENT_ID = hashlib.sha256(b"a package nobody rendered").hexdigest()
OVER_LIMIT = 50 * 1024 * 1024  # linked, not attached: nothing to fetch from document-service
DEFER = "451 4.3.0 Mailbox busy, try again later"


@pytest.fixture(scope="session")
async def mailbox(system: System) -> AsyncIterator[Mailbox]:
    """The SMTP server the settings point at (the system's own, if it runs one for all tests)."""
    shared = getattr(system, "mailbox", None)
    if shared is not None:
        yield shared
        return
    async with running_mailbox(system.settings.smtp_host, system.settings.smtp_port) as box:
        yield box


# Publishing `document.rendered` as document-service would --------------------------------------


@dataclass
class Published:
    event: DocumentRendered
    message_id: str
    task_id: str


def notifications(system: System) -> ServiceRuntime:
    return system.services["notifications"]


async def publish_rendered(
    system: System, *, message_id: str | None = None, event: DocumentRendered | None = None,
    task: bool = True, **fields: Any,
) -> Published:  # fmt: skip
    rt = notifications(system)
    task_id = str(uuid4())
    if event is None:
        values: dict[str, Any] = {
            "document_id": DOCUMENT_ID, "project_id": uuid4(), "submission_id": uuid4(),
            "account": "demo", "actor": "dev", "occurred_at": datetime.now(UTC), "pages": 1,
            "size_bytes": OVER_LIMIT, "filename": "package.pdf", "url": f"/documents/{DOCUMENT_ID}",
            "project_name": "Main St pylon", "customer": "Acme Signs",
            "pm_email": f"pm-{uuid4().hex[:10]}@example.com", "submission_number": 1,
            "submitted_by": "dev", "payload_sha256": "0" * 64, "engineering": False,
            "email_task_id": task_id if task else None,
        }  # fmt: skip
        values.update(fields)
        event = DocumentRendered(**values)
        if task:
            await rt.status.create(task_id, "email_pm", "demo", "dev")
    message_id = message_id or str(uuid4())
    await rt.broker.publish(
        event.model_dump_json().encode(), exchange=EVENTS, routing_key=t.DOCUMENT_RENDERED,
        message_id=message_id, headers={t.HEADER_ACCOUNT: "demo", t.HEADER_ACTOR: "dev"},
        content_type="application/json", persist=True,
    )  # fmt: skip
    return Published(event, message_id, event.email_task_id or "")


async def states_until_final(system: System, task_id: str, timeout_s: float = 40) -> list[str]:
    """Every state the task passed through (polled fast enough to see each RETRY)."""
    status = notifications(system).status
    seen: list[str] = []
    async with asyncio.timeout(timeout_s):
        while True:
            task = await status.get(task_id)
            assert task is not None
            label = f"{task.state}:{task.attempts}"
            if not seen or seen[-1] != label:
                seen.append(label)
            if task.state in FINAL:
                return seen
            await asyncio.sleep(0.01)


async def processed(system: System, *message_ids: str) -> None:
    """Wait until notification-service recorded each message in its inbox."""
    engine = notifications(system).engine
    assert engine is not None
    async with asyncio.timeout(20):
        while True:
            async with engine.connect() as conn:
                count = (
                    await conn.execute(
                        text(
                            "SELECT count(*) FROM notifications.inbox WHERE message_id = ANY(:ids)"
                        ),
                        {"ids": list(message_ids)},
                    )
                ).scalar_one()
            if count == len(message_ids):
                return
            await asyncio.sleep(0.05)


async def email_sent_events(system: System, submission_id: str) -> int:
    engine = notifications(system).engine
    assert engine is not None
    async with engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM notifications.outbox "
                        "WHERE routing_key = :key AND body LIKE :submission"
                    ),
                    {"key": t.NOTIFICATION_EMAIL_SENT, "submission": f"%{submission_id}%"},
                )
            ).scalar_one()
        )


# The tests ------------------------------------------------------------------------------------


async def test_submitting_a_project_emails_the_pm_the_calculation_package(
    system: System, http: aiohttp.ClientSession, mailbox: Mailbox
) -> None:
    pm = f"pm-{uuid4().hex[:10]}@example.com"
    project_id = await create_project(http, name="Elm Rd monument", pm_email=pm)
    status, body, _ = await call(
        http, "POST", f"/projects/{project_id}/payload", headers={"Prefer": "wait=10"},
        json={"module": "signage.single_pole", "config": {"sign": {"overall_height_ft": 20}}},
    )  # fmt: skip
    assert status == 200, body
    status, body, _ = await call(http, "POST", f"/projects/{project_id}/submit")
    assert status == 202, body
    email = await mailbox.wait_for(pm, timeout_s=30)
    assert email["Subject"] == "Calculation package: Elm Rd monument (submission #1)"
    [attachment] = list(email.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    task_id = body["result"]["task_id"]
    async with asyncio.timeout(30):
        while True:
            _, task, _ = await call(http, "GET", f"/tasks/{task_id}")
            if task["result"]["state"] in FINAL:
                break
            await asyncio.sleep(0.05)
    assert task["result"]["state"] == "SUCCESS", task
    email_pm = next(c for c in task["result"]["children"] if c["kind"] == "email_pm")
    assert email_pm["state"] == "SUCCESS"


async def test_a_package_over_the_attachment_limit_is_linked(
    system: System, mailbox: Mailbox
) -> None:
    sent = await publish_rendered(system)
    email = await mailbox.wait_for(sent.event.pm_email or "")
    assert list(email.iter_attachments()) == []
    body = email.get_body(("plain",))
    assert body is not None
    assert f"{system.settings.public_base_url}/documents/{DOCUMENT_ID}" in body.get_content()


async def test_one_email_per_submission_however_often_the_event_arrives(
    system: System, mailbox: Mailbox
) -> None:
    first = await publish_rendered(system)
    again = await publish_rendered(system, event=first.event, message_id=first.message_id)
    other_id = await publish_rendered(system, event=first.event)  # re-published: new message id
    await processed(system, first.message_id, other_id.message_id)
    await mailbox.wait_for(first.event.pm_email or "")
    assert again.message_id == first.message_id
    assert len(mailbox.to(first.event.pm_email or "")) == 1
    assert await email_sent_events(system, str(first.event.submission_id)) == 1
    assert (await states_until_final(system, first.task_id))[-1].startswith("SUCCESS")


@pytest.mark.slow
async def test_smtp_deferring_three_times_retries_then_sends_one_email(
    system: System, mailbox: Mailbox
) -> None:
    pm = f"pm-{uuid4().hex[:10]}@example.com"
    mailbox.rules[pm] = lambda attempt: DEFER if attempt <= 3 else None
    sent = await publish_rendered(system, pm_email=pm)
    states = await states_until_final(system, sent.task_id)
    assert [s for s in states if s.startswith("RETRY")] == ["RETRY:1", "RETRY:2", "RETRY:3"]
    assert states[-1] == "SUCCESS:4"
    await mailbox.wait_for(pm)
    assert len(mailbox.to(pm)) == 1 and mailbox.attempts[pm] == 4


@pytest.mark.slow
async def test_smtp_always_deferring_fails_after_5_attempts_and_replay_sends_once(
    system: System, mailbox: Mailbox
) -> None:
    pm = f"pm-{uuid4().hex[:10]}@example.com"
    mailbox.rules[pm] = lambda attempt: DEFER
    sent = await publish_rendered(system, pm_email=pm)
    states = await states_until_final(system, sent.task_id, timeout_s=60)
    assert states[-1] == "FAILURE:5", states
    task = await notifications(system).status.get(sent.task_id)
    assert task is not None and task.error is not None and "451" in task.error.message
    assert mailbox.to(pm) == [] and mailbox.attempts[pm] == 5
    listing = await run_cli("dlq", "list")
    parked = next(row for row in listing.splitlines() if sent.message_id in row)
    assert f"queue={t.NOTIFICATION_EVENTS_QUEUE}" in parked

    del mailbox.rules[pm]  # the server recovers
    assert "replayed 1" in await run_cli("dlq", "replay", sent.message_id)
    await mailbox.wait_for(pm)
    await processed(system, sent.message_id)
    assert len(mailbox.to(pm)) == 1


async def test_smtp_refusing_for_good_fails_at_once(system: System, mailbox: Mailbox) -> None:
    pm = f"pm-{uuid4().hex[:10]}@example.com"
    mailbox.rules[pm] = lambda attempt: "550 5.1.1 No such user"
    sent = await publish_rendered(system, pm_email=pm)
    states = await states_until_final(system, sent.task_id)
    assert not any(s.startswith("RETRY") for s in states) and states[-1] == "FAILURE:1"
    task = await notifications(system).status.get(sent.task_id)
    assert task is not None and task.error is not None
    assert task.error.code == "invalid" and "550" in task.error.message


async def test_crlf_in_the_pm_address_fails_and_sends_nothing(
    system: System, mailbox: Mailbox
) -> None:
    victim = f"victim-{uuid4().hex[:8]}@example.org"
    pm = f"pm-{uuid4().hex[:10]}@example.com"
    sent = await publish_rendered(system, pm_email=f"{pm}\r\nBcc: {victim}")
    states = await states_until_final(system, sent.task_id)
    assert states[-1] == "FAILURE:1"
    task = await notifications(system).status.get(sent.task_id)
    assert task is not None and task.error is not None and task.error.code == "invalid"
    sentinel = await publish_rendered(system)
    await mailbox.wait_for(sentinel.event.pm_email or "")  # what came before was handled
    assert mailbox.to(victim) == [] and mailbox.to(pm) == []


async def test_crlf_and_html_in_the_project_name_add_no_header(
    system: System, mailbox: Mailbox
) -> None:
    victim = f"victim-{uuid4().hex[:8]}@example.org"
    name = f'Evil <img src="file:///etc/passwd">\r\nBcc: {victim}\r\nX-Injected: yes'
    sent = await publish_rendered(system, project_name=name)
    email = await mailbox.wait_for(sent.event.pm_email or "")
    assert email["Bcc"] is None and email["X-Injected"] is None
    assert "\n" not in email["Subject"] and f"Bcc: {victim}" in email["Subject"]
    [received] = [r for r in mailbox.received if r.message is email]
    assert received.rcpt_tos == [sent.event.pm_email] and mailbox.to(victim) == []
    html = email.get_body(("html",))
    assert html is not None and "<img" not in html.get_content()
    assert "&lt;img" in html.get_content()


async def test_a_cancelled_email_task_sends_nothing(system: System, mailbox: Mailbox) -> None:
    rt = notifications(system)
    pm = f"pm-{uuid4().hex[:10]}@example.com"
    task_id = str(uuid4())
    await rt.status.create(task_id, "email_pm", "demo", "dev")
    await rt.status.revoke(task_id)
    await publish_rendered(system, pm_email=pm, email_task_id=task_id, task=False)
    sentinel = await publish_rendered(system)
    await mailbox.wait_for(sentinel.event.pm_email or "")
    task = await rt.status.get(task_id)
    assert task is not None and task.state == "REVOKED"
    assert mailbox.to(pm) == []
