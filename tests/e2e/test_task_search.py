"""`GET /tasks` finds the account's tasks by state, kind and time, newest first, a page at a
time; `GET /tasks/{id}/history` tells how one got where it is. Another account sees none."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aiohttp
import pytest

from .conftest import System, bearer, client
from .helpers import call, task_done
from .test_submission import ready_project, submit

WAIT = {"Prefer": "wait=10"}


async def every_page(http: aiohttp.ClientSession, query: str) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        url = f"/tasks?{query}" + (f"&cursor={cursor}" if cursor else "")
        status, body, _ = await call(http, "GET", url)
        assert status == 200, body
        items += body["result"]["items"]
        cursor = body["result"]["next_cursor"]
        if cursor is None:
            return items


async def test_an_accounts_tasks_are_listed_newest_first_page_by_page(system: System) -> None:
    account = f"search-{uuid4()}"
    async with client(system, bearer(system.settings, account=account, sub="ann")) as ann:
        since = datetime.now(UTC).isoformat()
        made = []
        for i in range(7):
            status, body, _ = await call(
                ann, "POST", "/projects", json={"name": f"Sign {i}", "customer": "S"}
            )
            assert status == 202, body
            made.append(body["result"]["task_id"])
        for task_id in made:
            await task_done(ann, task_id)
        listed = await every_page(ann, "limit=3")
        assert [t["task_id"] for t in listed] == made[::-1]
        first = listed[0]
        assert first["kind"] == "project.create" and first["state"] == "SUCCESS"
        assert first["trace_id"] and "result" not in first and "children" not in first
        query = {"since": since, "kind": "project.create"}  # "+00:00" is encoded
        status, body, _ = await call(ann, "GET", "/tasks", params=query)
        assert status == 200, body
        assert [t["task_id"] for t in body["result"]["items"]] == made[::-1]
        later = datetime.now(UTC).isoformat()
        status, body, _ = await call(ann, "GET", "/tasks", params={"since": later})
        assert status == 200 and body["result"] == {"items": [], "next_cursor": None}
    async with client(system, bearer(system.settings, account=f"x-{uuid4()}")) as stranger:
        status, body, _ = await call(stranger, "GET", "/tasks")
        assert status == 200 and body["result"]["items"] == []  # none of another account's


async def test_state_may_repeat_and_a_failed_submission_is_found(system: System) -> None:
    account = f"search-{uuid4()}"
    async with client(system, bearer(system.settings, account=account, sub="bo")) as bo:
        status, created, _ = await call(
            bo, "POST", "/projects", json={"name": "Bare", "customer": "S"}, headers=WAIT
        )
        assert status == 201, created
        project_id = created["result"]["result"]["project_id"]
        status, refused = await submit(bo, project_id, **WAIT)  # no payload: it fails
        assert status == 422, refused
        status, body, _ = await call(
            bo, "GET", "/tasks?state=FAILURE&state=REVOKED&kind=project.submit"
        )
        assert status == 200, body
        (failed,) = body["result"]["items"]
        assert failed["state"] == "FAILURE" and failed["error"]["code"] == "invalid"
        status, body, _ = await call(bo, "GET", "/tasks?state=SUCCESS")
        assert [t["kind"] for t in body["result"]["items"]] == ["project.create"]


async def test_a_submissions_history_and_its_childrens(http: aiohttp.ClientSession) -> None:
    project_id = await ready_project(http)
    status, body = await submit(http, project_id)
    assert status == 202, body
    parent = await task_done(http, body["result"]["task_id"], timeout_s=30)
    assert parent["state"] == "SUCCESS"
    status, history, _ = await call(http, "GET", f"/tasks/{parent['task_id']}/history")
    assert status == 200, history
    states = [entry["state"] for entry in history["result"]["items"]]
    assert states[0] == "PENDING" and states[-1] == "SUCCESS" and "STARTED" in states
    times = [entry["at"] for entry in history["result"]["items"]]
    assert times == sorted(times)
    for child in parent["children"]:
        status, body, _ = await call(http, "GET", f"/tasks/{child['task_id']}/history")
        assert status == 200
        assert [e["state"] for e in body["result"]["items"]][-1] == "SUCCESS"
        # children are the account's tasks too
        status, found, _ = await call(http, "GET", f"/tasks?kind={child['kind']}&limit=500")
        assert child["task_id"] in {t["task_id"] for t in found["result"]["items"]}


async def test_another_accounts_history_is_404(system: System, http: aiohttp.ClientSession) -> None:
    status, body, _ = await call(http, "POST", "/projects", json={"name": "M", "customer": "S"})
    task_id = body["result"]["task_id"]
    async with client(system, bearer(system.settings, account=f"x-{uuid4()}")) as stranger:
        status, _, _ = await call(stranger, "GET", f"/tasks/{task_id}/history")
        assert status == 404
    status, _, _ = await call(http, "GET", f"/tasks/{uuid4()}/history")
    assert status == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("state=DONE", "state.0"),
        ("state=SUCCESS&state=nope", "state.1"),
        ("since=yesterday", "since"),
        ("since=2026-12-01T10:00:00", "since"),  # no offset: which time is that?
        ("kind=", "kind"),
        ("cursor=not-a-cursor", "cursor"),
        ("colour=red", "colour"),
    ],
)
async def test_a_bad_query_is_422_naming_the_field(
    http: aiohttp.ClientSession, query: str, field: str
) -> None:
    status, body, _ = await call(http, "GET", f"/tasks?{query}")
    assert status == 422, body
    assert [e["field"] for e in body["errors"]] == [field], body
