"""Overload: a gateway that accepts faster than project-service consumes, for a bounded time.

Real processes on loopback: project-service (in a vhost of its own, its queue bounded small)
and a gateway process, driven by clients of this test. Afterwards every `202` took effect
exactly once, no `503` took effect, and the service is back to normal within seconds.
`APEX_OVERLOAD_SECONDS` sets the length (10 in `make test`, 60 in `make test-chaos`).
"""

import asyncio
import json
import os
import subprocess
import time
from pathlib import Path
from uuid import uuid4

import aiohttp
import pytest
from sqlalchemy import text

from apex_contracts import topology as t

from .broker_tools import (
    BOUND_PORT,
    RABBITMQCTL,
    needs_rabbitmqctl,
    own_vhost,
    project_service,
    queue_length,
)
from .conftest import System, bearer
from .gateways import gateway_processes

SECONDS = float(os.environ.get("APEX_OVERLOAD_SECONDS", "10"))
CLIENTS = 64
QUEUE_BOUND = 500
REPORT = Path("var/overload.json")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def broker_memory_mb() -> float | None:
    if RABBITMQCTL is None:
        return None
    done = subprocess.run(
        [RABBITMQCTL, "eval", "erlang:memory(total)."], capture_output=True, text=True, timeout=30
    )
    return int(done.stdout.strip()) / 2**20 if done.returncode == 0 else None


def write_report(report: dict[str, object]) -> None:
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


@needs_rabbitmqctl
@pytest.mark.slow
async def test_under_overload_every_202_takes_effect_once_and_no_503_does(system: System) -> None:
    with own_vhost() as bound_vhost:
        await overload(system, bound_vhost)


async def overload(system: System, bound_vhost: str) -> None:
    marker = f"overload-{uuid4().hex[:8]}"
    pids: list[int] = []
    answers: dict[str, int] = {}  # project name -> status
    admitted_ms: list[float] = []
    memory_before = broker_memory_mb()
    async with (
        # one command per transaction: it sustains a fraction of what the gateway accepts
        project_service(
            system, bound_vhost, APEX_COMMAND_QUEUE_MAX_LENGTH=str(QUEUE_BOUND), APEX_BATCH_MAX="1"
        ),
        gateway_processes(
            [BOUND_PORT],
            amqp_url=bound_vhost,
            pids=pids,
            rate_limit_per_min="100000000",
            rate_limit_burst="1000000",
        ) as (url,),  # fmt: skip
        aiohttp.ClientSession(
            base_url=url,
            headers=bearer(system.settings),
            connector=aiohttp.TCPConnector(limit=CLIENTS),
        ) as http,
    ):
        until = time.monotonic() + SECONDS
        deepest = 0

        async def client(n: int) -> None:
            i = 0
            while time.monotonic() < until:
                name = f"{marker} {n}-{i}"
                i += 1
                started = time.monotonic()
                async with http.post("/projects", json={"name": name, "customer": "O"}) as r:
                    await r.read()
                    answers[name] = r.status
                    if r.status == 202:
                        admitted_ms.append((time.monotonic() - started) * 1000)

        async def watch_queue() -> None:
            nonlocal deepest
            while time.monotonic() < until:
                deepest = max(deepest, await queue_length(bound_vhost, t.PROJECT_COMMANDS_QUEUE))
                await asyncio.sleep(0.5)

        await asyncio.gather(watch_queue(), *(client(n) for n in range(CLIENTS)))
        gateway_rss = peak_rss_mb(pids[0])
        memory_peak = broker_memory_mb()
        accepted = {name for name, status in answers.items() if status == 202}
        refused = {name for name, status in answers.items() if status == 503}
        assert set(answers.values()) <= {202, 503}, sorted(set(answers.values()))
        for _ in range(600):  # the backlog drains: every accepted command is consumed
            if await queue_length(bound_vhost, t.PROJECT_COMMANDS_QUEUE) == 0:
                break
            await asyncio.sleep(0.1)
        recovered_at = time.monotonic()
        async with http.post(
            "/projects", json={"name": f"{marker} after", "customer": "O"},
            headers={"Prefer": "wait=10"},
        ) as r:  # fmt: skip
            assert r.status == 201, await r.text()
        recovery_s = time.monotonic() - recovered_at
    engine = system.services["projects"].engine
    assert engine is not None
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT name, count(*) FROM projects.projects WHERE name LIKE :m GROUP BY name"),
            {"m": f"{marker} %"},
        )
        made = {name: count for name, count in rows}
    report = {
        "seconds": SECONDS,
        "clients": CLIENTS,
        "queue_bound": QUEUE_BOUND,
        "accepted": len(accepted),
        "refused_503": len(refused),
        "deepest_queue": deepest,
        "admitted_p50_ms": round(percentile(admitted_ms, 0.5), 1),
        "admitted_p99_ms": round(percentile(admitted_ms, 0.99), 1),
        "gateway_peak_rss_mb": round(gateway_rss, 1),
        "broker_memory_mb": [memory_before, memory_peak],
        "recovery_s": round(recovery_s, 2),
    }
    write_report(report)
    print("overload:", json.dumps(report))
    assert refused, "the load never reached the queue's bound: nothing was shed"
    assert accepted, "nothing was accepted"
    assert set(made) - {f"{marker} after"} == accepted  # every 202 took effect; no 503 did
    assert all(count == 1 for count in made.values())  # and each exactly once
    # a quorum queue's bound is approximate: it can take the publishes in flight as it fills
    assert deepest <= QUEUE_BOUND + CLIENTS
    assert recovery_s < 10
