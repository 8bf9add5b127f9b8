"""Killing project-service with SIGTERM while commands flow loses none of them."""

import asyncio
import signal
import time

import aiohttp
import pytest

from .conftest import System
from .helpers import call, task_done
from .out_of_process import start_project_service


@pytest.mark.slow
async def test_sigterm_mid_stream_loses_no_accepted_command(
    http: aiohttp.ClientSession, system: System, project_service_out_of_process: None
) -> None:
    first = await start_project_service(system)

    async def submit(i: int) -> str:
        status, body, _ = await call(
            http, "POST", "/projects", json={"name": f"sigterm-{i}", "customer": "Acme"}
        )
        assert status == 202, body
        return body["result"]["task_id"]  # type: ignore[no-any-return]

    task_ids = [await submit(i) for i in range(30)]
    first.send_signal(signal.SIGTERM)
    stopping = time.monotonic()
    task_ids += await asyncio.gather(*(submit(i) for i in range(30, 100)))
    assert await asyncio.wait_for(first.wait(), 15) == 0
    assert time.monotonic() - stopping < 10  # graceful shutdown finishes within 10 s

    second = await start_project_service(system)
    try:
        tasks = [await task_done(http, task_id, timeout_s=30) for task_id in task_ids]
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 15)
    assert [t["state"] for t in tasks] == ["SUCCESS"] * 100
    project_ids = {t["result"]["project_id"] for t in tasks}
    assert len(project_ids) == 100
