"""`apex tasks watch <task_id>` follows a task through the gateway's event stream to its end:
exit 0 on SUCCESS, 1 on another final state (saying why), 2 when it cannot be watched."""

import asyncio
import sys
from uuid import uuid4

import aiohttp

from .conftest import System, bearer
from .helpers import call, create_project
from .test_submission import submit


async def apex_watch(system: System, task_id: str, *extra: str) -> tuple[int, str]:
    token = bearer(system.settings)["Authorization"].removeprefix("Bearer ")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "apex_runtime.cli", "tasks", "watch", task_id,
        "--url", system.base_url, *(extra or ("--token", token)),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_watch_ends_with_the_tasks_success(
    system: System, http: aiohttp.ClientSession
) -> None:
    status, body, _ = await call(http, "POST", "/projects", json={"name": "W", "customer": "C"})
    assert status == 202
    code, out = await apex_watch(system, body["result"]["task_id"])
    assert code == 0, out
    assert "project.create SUCCESS" in out and "100%" in out


async def test_watch_of_a_failing_task_says_why(
    system: System, http: aiohttp.ClientSession
) -> None:
    project_id = await create_project(http)
    status, body = await submit(http, project_id)  # no payload: it fails
    assert status == 202, body
    code, out = await apex_watch(system, body["result"]["task_id"])
    assert code == 1, out
    assert "FAILURE: invalid" in out and "design payload" in out


async def test_watch_of_an_unknown_task_or_without_credentials(system: System) -> None:
    code, out = await apex_watch(system, str(uuid4()))
    assert code == 2 and "404" in out, out
    code, out = await apex_watch(system, str(uuid4()), "--token", "not-a-token")
    assert code == 2 and "401" in out, out
