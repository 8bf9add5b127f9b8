"""Extra gateway processes for tests that need several sharing one Redis."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from ..lifetime import die_with_parent


@asynccontextmanager
async def gateway_processes(
    ports: list[int], probe: str = "/ready", pids: list[int] | None = None, **settings: str
) -> AsyncIterator[list[str]]:
    """Start `python -m apex_gateway` on each port with extra `APEX_*` settings; yield base URLs
    (and put the processes' ids in `pids`, when given)."""
    env = {**os.environ, **{f"APEX_{k.upper()}": v for k, v in settings.items()}}
    processes = []
    try:
        for port in ports:
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "apex_gateway",
                    env={**env, "APEX_GATEWAY_PORT": str(port)},
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                    preexec_fn=die_with_parent,
                )
            )
        if pids is not None:
            pids.extend(p.pid for p in processes)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        async with aiohttp.ClientSession() as session:
            for url, process in zip(urls, processes, strict=True):
                await _until_ready(session, url + probe, process)
        yield urls
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            await asyncio.wait_for(process.wait(), 15)


async def _until_ready(
    session: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process
) -> None:
    for _ in range(150):
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        assert process.returncode is None, f"gateway {url} exited at start"
        await asyncio.sleep(0.1)
    raise AssertionError(f"gateway {url} did not become ready")
