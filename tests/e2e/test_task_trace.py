"""A task carries the trace of the request that created it, its children share it, and
`apex trace <task_id>` prints the tracing UI's link for it."""

import asyncio
import contextlib
import io

import aiohttp
import pytest
from multidict import CIMultiDict

from apex_runtime import cli

from .helpers import call, task_done
from .test_submission import ready_project, submit
from .test_traceparent import trace_of


async def test_a_task_is_in_the_trace_of_the_request_that_made_it(
    http: aiohttp.ClientSession,
) -> None:
    async with http.post("/projects", json={"name": "Traced", "customer": "T"}) as response:
        assert response.status == 202
        header_trace = trace_of(CIMultiDict(response.headers))
        created = await response.json()
    task = await task_done(http, created["result"]["task_id"])
    assert task["trace_id"] == header_trace == created["trace"]["trace_id"]
    status, read, _ = await call(http, "GET", f"/tasks/{task['task_id']}")
    assert status == 200
    assert read["result"]["trace_id"] == header_trace
    assert read["trace"]["trace_id"] != header_trace  # the read is a request of its own


async def test_a_submissions_children_are_in_the_submit_requests_trace(
    http: aiohttp.ClientSession,
) -> None:
    project_id = await ready_project(http)
    status, body = await submit(http, project_id)
    assert status == 202, body
    trace_id = body["trace"]["trace_id"]
    parent = await task_done(http, body["result"]["task_id"], timeout_s=30)
    assert parent["trace_id"] == trace_id
    assert {c["kind"] for c in parent["children"]} >= {"render_document", "email_pm"}
    for child in parent["children"]:
        status, read, _ = await call(http, "GET", f"/tasks/{child['task_id']}")
        assert status == 200
        assert read["result"]["trace_id"] == trace_id, child


def apex(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


async def test_apex_trace_prints_the_tracing_uis_link(
    http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, body, _ = await call(
        http, "POST", "/projects", json={"name": "Linked", "customer": "T"}
    )
    assert status == 202
    task_id, trace_id = body["result"]["task_id"], body["trace"]["trace_id"]
    code, out, _ = await asyncio.to_thread(apex, "trace", task_id)
    assert (code, out) == (0, f"http://localhost:16686/trace/{trace_id}\n")  # compose's Jaeger
    cli.get_settings.cache_clear()
    monkeypatch.setenv("APEX_TRACING_UI_URL", "https://grafana.example/explore?trace={trace_id}")
    try:
        code, out, _ = await asyncio.to_thread(apex, "trace", task_id)
    finally:
        cli.get_settings.cache_clear()
    assert (code, out) == (0, f"https://grafana.example/explore?trace={trace_id}\n")
    code, out, err = await asyncio.to_thread(apex, "trace", "00000000-0000-4000-8000-000000000000")
    assert (code, out) == (1, "")
    assert "no task" in err
