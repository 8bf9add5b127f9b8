"""Calculation packages end to end: submit, render, store, download, and account isolation."""

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aio_pika
import aiohttp
import orjson
import pypdf
import pytest

from apex_contracts import topology as t
from apex_contracts.documents import DocumentRendered
from apex_contracts.projects import ProjectSubmitted, SubmissionTasks

from .conftest import System, bearer, client
from .helpers import call, create_project

WAIT = {"Prefer": "wait=10"}
DESIGN = {
    "sign": {
        "overall_height_ft": 20,
        "cabinets": [{"width_ft": 10, "height_ft": 6}],
        "site": {"wind_speed_mph": 115, "exposure": "C"},
    },
    "prefs": {"family": ["pipe"]},
    "soil": {"soil_class": 4},
    "footing": {"diameter_ft": 2},
}


async def designed_project(http: aiohttp.ClientSession, name: str) -> str:
    project_id = await create_project(
        http,
        name,
        pm_email="pm@example.com",
        site={"address": "1 Main St", "wind_speed_mph": 115, "exposure": "C"},
    )
    status, body, _ = await call(
        http,
        "POST",
        f"/projects/{project_id}/payload",
        json={"module": "signage.single_pole", "config": DESIGN},
        headers=WAIT,
    )
    assert status == 200, body
    return project_id


async def child_result(
    http: aiohttp.ClientSession, task_id: str, kind: str, timeout_s: float = 20
) -> dict[str, Any]:
    """The result of the submission's child task of `kind`, once it succeeded."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        _, body, _ = await call(http, "GET", f"/tasks/{task_id}")
        children = [c for c in body["result"]["children"] if c["kind"] == kind]
        if children and children[0]["state"] in ("SUCCESS", "FAILURE", "REVOKED"):
            _, child, _ = await call(http, "GET", f"/tasks/{children[0]['task_id']}")
            assert child["result"]["state"] == "SUCCESS", child
            return child["result"]["result"]  # type: ignore[no-any-return]
        assert asyncio.get_running_loop().time() < deadline, f"{kind} not done: {body}"
        await asyncio.sleep(0.05)


async def submitted_document(http: aiohttp.ClientSession, name: str) -> tuple[str, dict[str, Any]]:
    project_id = await designed_project(http, name)
    status, body, _ = await call(http, "POST", f"/projects/{project_id}/submit")
    assert status == 202, body
    document = await child_result(http, body["result"]["task_id"], "render_document")
    assert document["trace_id"] == body["trace"]["trace_id"]  # the submit request's trace
    return project_id, document


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)


async def test_a_submission_renders_a_package_that_can_be_downloaded(
    http: aiohttp.ClientSession,
) -> None:
    name = f"Main St pylon {uuid4().hex[:6]}"
    project_id, document = await submitted_document(http, name)

    async with http.get(f"/documents/{document['document_id']}") as response:
        assert response.status == 200
        content = await response.read()
        headers = response.headers
    assert headers["Content-Type"] == "application/pdf"
    assert headers["ETag"] == f'"{document["document_id"]}"'
    assert hashlib.sha256(content).hexdigest() == document["document_id"]
    assert headers["Content-Disposition"] == f'attachment; filename="{document["filename"]}"'
    assert document["filename"].startswith("calculation-package-main-st-pylon-")
    assert document["pages"] == len(pypdf.PdfReader(io.BytesIO(content)).pages)
    assert document["size_bytes"] == len(content)
    text = pdf_text(content)
    assert name in text
    assert "Recommended section: Pipe8STD" in text and "7.70 ft" in text
    assert document["payload_sha256"] in text and document["engineering"] is True
    assert len(document["trace_id"]) == 32 and f"Trace {document['trace_id']}" in text

    async with http.get(
        f"/documents/{document['document_id']}", headers={"If-None-Match": headers["ETag"]}
    ) as response:
        assert response.status == 304

    status, body, _ = await call(http, "GET", f"/projects/{project_id}/documents")
    assert status == 200, body
    assert [d["document_id"] for d in body["result"]["items"]] == [document["document_id"]]
    assert body["result"]["next_cursor"] is None


async def test_a_hostile_project_name_is_printed_as_text_and_nothing_is_fetched(
    http: aiohttp.ClientSession,
) -> None:
    name = '<img src="file:///etc/passwd"> <a rel="attachment" href="file:///etc/passwd">x</a>'
    _, document = await submitted_document(http, name)

    async with http.get(f"/documents/{document['document_id']}") as response:
        content = await response.read()
    assert name in " ".join(pdf_text(content).split())
    assert b"/EmbeddedFile" not in content and b"root:" not in content
    assert document["filename"].startswith("calculation-package-img-src-file-etc-passwd-")
    assert set(document["filename"]) <= set("abcdefghijklmnopqrstuvwxyz0123456789-.")


async def test_another_account_gets_404_for_the_document_and_the_list(
    system: System, http: aiohttp.ClientSession
) -> None:
    project_id, document = await submitted_document(http, "Isolated pylon")
    async with client(system, bearer(system.settings, account="other")) as other:
        async with other.get(f"/documents/{document['document_id']}") as response:
            assert response.status == 404
            body = await response.json()
        assert body["errors"][0]["type"] == "not_found"
        status, listed, _ = await call(other, "GET", f"/projects/{project_id}/documents")
        assert status == 404, listed


async def test_unknown_or_malformed_document_ids_are_404(http: aiohttp.ClientSession) -> None:
    for document_id in ("0" * 64, "not-a-hash", "A" * 64):
        async with http.get(f"/documents/{document_id}") as response:
            assert response.status == 404
            assert response.content_type == "application/json"


@pytest.fixture
async def events(system: System) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    connection = await aio_pika.connect_robust(system.settings.amqp_url)
    async with connection:
        yield await connection.channel(publisher_confirms=True)


async def publish(
    channel: aio_pika.abc.AbstractChannel, event: ProjectSubmitted, message_id: str
) -> None:
    exchange = await channel.get_exchange(t.EVENTS_EXCHANGE)
    await exchange.publish(
        aio_pika.Message(
            event.model_dump_json().encode(),
            message_id=message_id,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={t.HEADER_ACCOUNT: event.account, t.HEADER_ACTOR: event.actor},
        ),
        routing_key=t.PROJECT_SUBMITTED,
    )


async def test_a_redelivered_submission_is_stored_and_announced_once(
    system: System, http: aiohttp.ClientSession, events: aio_pika.abc.AbstractChannel
) -> None:
    """The same event twice (same message id), and once more under a new id: one document.

    Each copy names its own render task so the test can await its processing.
    """
    project_id = await designed_project(http, "Redelivered pylon")
    _, project, _ = await call(http, "GET", f"/projects/{project_id}")
    _, payload, _ = await call(http, "GET", f"/projects/{project_id}/payload")
    rendered = await events.declare_queue(exclusive=True)  # gone with the connection
    await rendered.bind(t.EVENTS_EXCHANGE, routing_key=t.DOCUMENT_RENDERED)
    status_store = system.services["documents"].status
    now = datetime.now(UTC)
    submission_id, message_id = uuid4(), str(uuid4())

    async def deliver(message_id: str) -> str:
        task_id = str(uuid4())
        await status_store.create(task_id, "render_document", "demo", "dev")
        event = ProjectSubmitted(
            project_id=project_id, account="demo", actor="dev", occurred_at=now,
            submission_id=submission_id, submission_number=1, submitted_by="dev",
            submitted_at=now, project=project["result"], payload=payload["result"],
            tasks=SubmissionTasks(render_document=task_id, email_pm=str(uuid4())),
        )  # fmt: skip
        await publish(events, event, message_id)
        return task_id

    async def result_of(task_id: str) -> dict[str, Any]:
        for _ in range(400):
            task = await status_store.get(task_id)
            if task is not None and task.state.value == "SUCCESS":
                return task.result  # type: ignore[no-any-return]
            await asyncio.sleep(0.05)
        raise AssertionError(f"render task {task_id} did not succeed: {task}")

    first = await result_of(await deliver(message_id))
    announced = await _next(rendered)
    again = await result_of(await deliver(message_id))
    other = await result_of(await deliver(str(uuid4())))

    assert first["document_id"] == again["document_id"] == other["document_id"]
    body = DocumentRendered.model_validate(orjson.loads(announced.body))
    assert body.document_id == first["document_id"] and body.submission_id == submission_id
    await asyncio.sleep(2 * system.settings.outbox_poll_s)  # a second announcement would be out
    assert await rendered.get(fail=False) is None
    _, listed, _ = await call(http, "GET", f"/projects/{project_id}/documents")
    assert [d["document_id"] for d in listed["result"]["items"]] == [first["document_id"]]


async def _next(queue: aio_pika.abc.AbstractQueue) -> aio_pika.abc.AbstractIncomingMessage:
    async with queue.iterator(timeout=10) as messages:
        async for message in messages:
            await message.ack()
            return message
    raise AssertionError("no document.rendered announced")
