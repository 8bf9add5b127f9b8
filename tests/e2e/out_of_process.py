"""project-service as a subprocess of the test, for tests that signal or kill it."""

import asyncio
import os
import sys

import aiohttp

from ..lifetime import die_with_parent
from .conftest import System


async def start_project_service(system: System, **env: str) -> asyncio.subprocess.Process:
    """Start `python -m apex_projects` (with `env` added) and wait until it is ready."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "apex_projects",
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )
    port = env.get("APEX_PROJECT_PORT", system.settings.project_port)
    ready = f"http://127.0.0.1:{port}/ready"
    async with aiohttp.ClientSession() as session:
        for _ in range(150):
            try:
                async with session.get(ready) as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            assert process.returncode is None, "project-service exited at start"
            await asyncio.sleep(0.1)
    raise AssertionError("project-service did not become ready")
