"""Small client helpers for the end-to-end tests."""

import asyncio
import re
import sys
from typing import Any

import aiohttp
import pytest

from apex_runtime import amqp_client

FINAL = {"SUCCESS", "FAILURE", "REVOKED"}


def confirms_too_late(
    monkeypatch: pytest.MonkeyPatch,
    error: Exception | None = None,
) -> list[str]:
    """The gateway's commands reach RabbitMQ for real, but no confirm comes in time (as on a
    connection the broker blocked), or `error` is raised in its place (as when the connection
    drops once the command is out): the message ids published, as they are."""
    real_publish = amqp_client.publish_confirmed
    sent: list[str] = []

    async def confirm_too_late(*args: Any, **kwargs: Any) -> None:
        await real_publish(*args, **kwargs)
        sent.append(str(kwargs["message_id"]))
        raise error or TimeoutError("injected: no confirm in time")

    monkeypatch.setattr(amqp_client, "publish_confirmed", confirm_too_late)
    return sent


async def call(
    http: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
) -> tuple[int, dict[str, Any], aiohttp.typedefs.LooseHeaders]:
    async with http.request(method, path, **kwargs) as response:
        return response.status, await response.json(), response.headers


async def task_done(
    http: aiohttp.ClientSession, task_id: str, timeout_s: float = 10
) -> dict[str, Any]:
    """Poll `GET /tasks/{id}` until the task is final."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        status, body, _ = await call(http, "GET", f"/tasks/{task_id}")
        assert status == 200, body
        if body["result"]["state"] in FINAL:
            return body["result"]  # type: ignore[no-any-return]
        assert asyncio.get_running_loop().time() < deadline, f"task {task_id} not final: {body}"
        await asyncio.sleep(0.02)


async def create_project(
    http: aiohttp.ClientSession, name: str = "Main St pylon", **fields: Any
) -> str:
    """Create a project, wait for it, return its id."""
    body = {"name": name, "customer": "Acme Signs", **fields}
    status, envelope, _ = await call(
        http, "POST", "/projects", json=body, headers={"Prefer": "wait=10"}
    )
    assert status == 201, envelope
    return envelope["result"]["result"]["project_id"]  # type: ignore[no-any-return]


async def audit_types(
    http: aiohttp.ClientSession, project_id: str, expected: set[str]
) -> list[str]:
    """The routing keys of a project's audit entries, once all `expected` ones arrived."""
    for _ in range(200):
        status, body, _ = await call(http, "GET", f"/audit?project_id={project_id}")
        assert status == 200, body
        types = [e["routing_key"] for e in body["result"]["items"]]
        if expected <= set(types):
            return types
        await asyncio.sleep(0.02)
    raise AssertionError(f"audit entries {expected} not all recorded for {project_id}: {types}")


async def metric(session: aiohttp.ClientSession, url: str, line: str) -> float:
    """One sample of a gateway's `/metrics` (`line` is its name and labels); 0 when absent."""
    async with session.get(url + "/metrics") as response:
        found = re.search(rf"^{re.escape(line)} (\S+)$", await response.text(), re.M)
    return float(found.group(1)) if found else 0.0


async def run_cli(*args: str) -> str:
    """`apex <args>` in a process of its own; its output, once it exited 0."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "apex_runtime.cli", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    assert process.returncode == 0, out.decode()
    return out.decode()
