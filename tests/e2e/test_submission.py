"""Submitting a project: checks, the submission record, the task tree, cancellation, watching."""

import asyncio
from uuid import uuid4

import aiohttp
import orjson

from .conftest import System
from .helpers import call, create_project
from .test_delivery import publish_raw

WAIT = {"Prefer": "wait=10"}
CONFIG = {"sign": {"overall_height_ft": 20}}


async def ready_project(http: aiohttp.ClientSession, **fields: object) -> str:
    fields.setdefault("pm_email", "pm@example.com")
    project_id = await create_project(http, **fields)
    status, body, _ = await call(
        http,
        "POST",
        f"/projects/{project_id}/payload",
        json={"module": "signage.single_pole", "config": CONFIG},
        headers=WAIT,
    )
    assert status == 200, body
    return project_id


async def submit(http: aiohttp.ClientSession, project_id: str, **headers: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    status, body, _ = await call(http, "POST", f"/projects/{project_id}/submit", headers=headers)
    return status, body


async def test_submit_without_payload_or_pm_email_says_what_is_missing(
    http: aiohttp.ClientSession,
) -> None:
    project_id = await create_project(http)
    status, body = await submit(http, project_id, **WAIT)
    assert status == 422, body
    message = body["errors"][0]["message"]
    assert "design payload" in message and "pm_email" in message
    status, project, _ = await call(http, "GET", f"/projects/{project_id}")
    assert project["result"]["status"] == "draft"


async def test_submit_creates_the_task_tree_at_once(http: aiohttp.ClientSession) -> None:
    project_id = await ready_project(http)
    status, body = await submit(http, project_id)
    assert status == 202, body
    task_id = body["result"]["task_id"]
    # The children are recorded inside the submission's transaction; the submission's own
    # result once that transaction has committed, a few milliseconds later.
    for _ in range(200):
        status, task, _ = await call(http, "GET", f"/tasks/{task_id}")
        if task["result"]["children"] and task["result"]["result"]:
            break
        await asyncio.sleep(0.02)
    tree = task["result"]
    kinds = sorted(child["kind"] for child in tree["children"])
    assert kinds[:2] == ["email_pm", "render_document"] or {"email_pm", "render_document"} <= set(
        kinds
    )
    assert tree["result"]["submission_number"] == 1
    status, project, _ = await call(http, "GET", f"/projects/{project_id}")
    assert project["result"]["status"] == "submitted"
    assert project["result"]["version"] == 2


async def test_a_submitted_project_cannot_be_submitted_again(http: aiohttp.ClientSession) -> None:
    project_id = await ready_project(http)
    assert (await submit(http, project_id))[0] == 202
    status, body = await submit(http, project_id, **WAIT)
    assert status == 409, body
    assert "submitted" in body["errors"][0]["message"]


async def test_a_submission_cancelled_before_it_runs_changes_nothing_and_sends_no_email(
    http: aiohttp.ClientSession, system: System
) -> None:
    """Cancel first, deliver after: the consumer finds it REVOKED and skips it (no race)."""
    pm = f"pm-{uuid4().hex[:8]}@example.com"
    project_id = await ready_project(http, pm_email=pm)
    task_id = str(uuid4())
    await system.services["projects"].status.create(task_id, "project.submit", "demo", "dev")
    status, cancelled, _ = await call(http, "DELETE", f"/tasks/{task_id}")
    assert status == 200 and cancelled["result"]["state"] == "REVOKED"
    await publish_raw(
        system, "project.submit", orjson.dumps({"project_id": project_id}),
        task_id=task_id, message_id=str(uuid4()),
    )  # fmt: skip
    await asyncio.sleep(1.5)  # long enough for render and email, had it run
    _, task, _ = await call(http, "GET", f"/tasks/{task_id}")
    assert task["result"]["state"] == "REVOKED" and task["result"]["children"] == []
    _, project, _ = await call(http, "GET", f"/projects/{project_id}")
    assert project["result"]["status"] == "draft"
    assert system.mailbox.to(pm) == []


async def test_long_poll_returns_on_the_next_change(http: aiohttp.ClientSession) -> None:
    status, body, _ = await call(http, "POST", "/projects", json={"name": "Poll", "customer": "C"})
    task_id = body["result"]["task_id"]
    status, first, _ = await call(http, "GET", f"/tasks/{task_id}?wait=5")
    assert status == 200
    seen = first["result"]["state"]
    while seen not in ("SUCCESS", "FAILURE"):
        _, nxt, _ = await call(http, "GET", f"/tasks/{task_id}?wait=5")
        assert nxt["result"]["updated_at"] >= first["result"]["updated_at"]
        seen = nxt["result"]["state"]
    assert seen == "SUCCESS"
    status, body, _ = await call(http, "GET", f"/tasks/{task_id}?wait=31")
    assert status == 422


async def test_task_events_stream_until_final(http: aiohttp.ClientSession) -> None:
    _status, body, _ = await call(
        http, "POST", "/projects", json={"name": "Stream", "customer": "C"}
    )
    task_id = body["result"]["task_id"]
    states = []
    async with http.get(f"/tasks/{task_id}/events") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        async for line in response.content:
            if line.startswith(b"data: "):
                states.append(orjson.loads(line[6:])["state"])
    assert states[-1] == "SUCCESS"
    assert len(states) == len(set(states)) or states.count("SUCCESS") == 1
