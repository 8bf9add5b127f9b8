"""Break things on purpose while commands flow; nothing accepted may be lost or doubled.

Short form (in `make test`): a few seconds of load around each fault. `make test-chaos` runs
the long form (APEX_CHAOS_SECONDS=60, faults spread over the run).
"""

import asyncio
import os
import statistics
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest

from apex_gateway.auth import mint_token
from apex_runtime.settings import Settings

from . import harness
from .driver import Accepted, Driver

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

SECONDS = float(os.environ.get("APEX_CHAOS_SECONDS", "24"))
CLIENTS = 6


def by_name(name: str) -> harness.Service:
    return next(s for s in harness.SERVICES if s.name == name)


async def kill_and_restart(name: str) -> None:
    service = by_name(name)
    await harness.kill9(service)
    await asyncio.sleep(0.5)
    await harness.start(service)


FAULTS: list[tuple[str, Callable[[], Awaitable[None]]]] = [
    ("kill -9 project-service", lambda: kill_and_restart("project-service")),
    ("kill -9 audit-service", lambda: kill_and_restart("audit-service")),
    ("kill -9 gateway", lambda: kill_and_restart("gateway")),
    ("RabbitMQ memory alarm", harness.memory_alarm),
    ("RabbitMQ disk alarm", harness.disk_alarm),
    ("restart RabbitMQ", harness.restart_rabbitmq),
    ("restart Redis", harness.restart_redis),
    ("restart PostgreSQL", harness.restart_postgres),
]


# `make test` runs the process kills; `make test-chaos` (APEX_CHAOS_FAULTS=all) adds RabbitMQ's
# memory and disk alarms and the restarts of RabbitMQ, Redis and PostgreSQL, which stop or
# block the machine's shared servers.
if os.environ.get("APEX_CHAOS_FAULTS", "kills") != "all":
    FAULTS = FAULTS[:3]
FAULT_TIMEOUT_S = 120.0  # a fault that does not finish is a failure, never a hang


@pytest.fixture
async def running_system() -> AsyncIterator[None]:
    await asyncio.to_thread(harness.prepare)
    try:
        for service in harness.SERVICES:
            harness.ensure_port_free(service)
            await harness.start(service)
        yield
    finally:  # also when a service failed to start: leave no process behind
        await harness.stop_all()


def queue_depths() -> dict[str, tuple[int, int]]:
    out = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", harness.VHOST, "name", "messages_ready",
         "messages_unacknowledged", "--no-table-headers"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    depths = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            depths[parts[0]] = (int(parts[1]), int(parts[2]))
    return depths


CHECKS_IN_FLIGHT = 16
CHECK_DEADLINE_S = 120.0


class CheckFailed(AssertionError):
    """A read the verification needs kept failing: the system did not recover."""


async def read(
    session: aiohttp.ClientSession, driver: Driver, path: str, slots: asyncio.Semaphore
) -> dict | None:
    """GET through the gateway: the result, or None for 404; retried on 5xx until a deadline."""
    deadline = time.monotonic() + CHECK_DEADLINE_S
    while True:
        try:
            async with slots, session.get(driver.base_url + path, headers=driver.headers) as r:
                if r.status == 404:
                    return None
                if r.status == 200:
                    return (await r.json())["result"]  # type: ignore[no-any-return]
                problem = f"{r.status} {await r.text()}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            problem = repr(exc)
        if time.monotonic() > deadline:
            raise CheckFailed(f"GET {path} kept failing: {problem}")
        await asyncio.sleep(0.5)


async def audit_types(
    session: aiohttp.ClientSession, driver: Driver, project_id: str, slots: asyncio.Semaphore
) -> Counter[str]:
    counts: Counter[str] = Counter()
    cursor = None
    while True:
        query = f"/audit?project_id={project_id}&limit=500" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = await read(session, driver, query, slots)
        assert page is not None
        counts.update(e["routing_key"] for e in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return counts


async def test_nothing_accepted_is_lost_or_doubled_under_faults(running_system: None) -> None:
    settings = Settings()
    token = mint_token(settings, "chaos", "driver", ["admin"], ttl_s=3600)
    base = f"http://127.0.0.1:{harness.CHAOS_ENV['APEX_GATEWAY_PORT']}"
    driver = Driver(base, token)
    until = time.monotonic() + SECONDS + len(FAULTS) * 3
    clients = [asyncio.create_task(driver.client(until)) for _ in range(CLIENTS)]
    recovery: dict[str, float] = {}
    gap = SECONDS / (len(FAULTS) + 1)
    for name, inject in FAULTS:
        await asyncio.sleep(gap)
        started = time.monotonic()
        await asyncio.wait_for(inject(), FAULT_TIMEOUT_S)
        recovery[name] = (time.monotonic() - started) + await asyncio.wait_for(
            driver.probe(), FAULT_TIMEOUT_S
        )
    await asyncio.gather(*clients)

    slots = asyncio.Semaphore(CHECKS_IN_FLIGHT)
    outcomes: dict[str, str | None] = {}
    lost, duplicated, untold = 0, 0, 0
    problems: list[str] = []
    async with aiohttp.ClientSession() as session:

        async def settle(item: Accepted) -> None:
            async with slots:
                outcomes[item.task_id] = await driver.final_state(
                    session, item.task_id, deadline_s=90
                )

        # Every accepted task ends, with a deadline.
        await asyncio.gather(*(settle(item) for item in driver.ledger.accepted))

        expected_version: dict[str, int] = defaultdict(lambda: 1)
        expected_payloads: Counter[str] = Counter()
        for item in driver.ledger.accepted:
            if outcomes[item.task_id] != "SUCCESS":
                continue
            if item.kind == "update":
                expected_version[item.project_id] += 1
            elif item.kind == "payload":
                expected_payloads[item.project_id] += 1

        async def verify(item: Accepted) -> None:
            """One project's effects: its version, its payloads and its audit entries."""
            nonlocal lost, duplicated, untold
            project = await read(session, driver, f"/projects/{item.project_id}", slots)
            if item.unknown and outcomes[item.task_id] is None:  # never arrived: no effect
                if project is not None:
                    untold += 1
                    problems.append(f"{item.project_id}: created, its task never settled")
                return
            if project is None:
                lost += 1
                problems.append(f"{item.project_id}: not found")
                return
            version = project["version"]
            want = expected_version[item.project_id]
            lost += max(0, want - version)
            duplicated += max(0, version - want)
            if version != want:
                problems.append(f"{item.project_id}: version {version}, expected {want}")
            payloads = expected_payloads[item.project_id]
            if payloads:
                view = await read(session, driver, f"/projects/{item.project_id}/payload", slots)
                latest = view["payload_version"] if view else 0
                lost += max(0, payloads - latest)
                duplicated += max(0, latest - payloads)
            wanted = Counter(
                {
                    "project.created": 1,
                    "project.updated": want - 1,
                    "project.payload_saved": payloads,
                }
            )
            # Events reach the audit log after their transaction, through the outbox relay and
            # the broker: wait (with a deadline) for a backlog built up during the faults.
            deadline = time.monotonic() + CHECK_DEADLINE_S
            while True:
                seen = await audit_types(session, driver, item.project_id, slots)
                behind = any(seen[key] < count for key, count in wanted.items())
                if not behind or time.monotonic() > deadline:
                    break
                await asyncio.sleep(1.0)
            for key, count in wanted.items():
                lost += max(0, count - seen[key])
                duplicated += max(0, seen[key] - count)
                if seen[key] != count:
                    problems.append(f"{item.project_id}: {seen[key]} x {key}, expected {count}")

        await asyncio.gather(
            *(verify(item) for item in driver.ledger.accepted if item.kind == "create")
        )

    unknown = {item.task_id for item in driver.ledger.accepted if item.unknown}
    unfinished = [t for t, state in outcomes.items() if state is None and t not in unknown]
    failed = [t for t, state in outcomes.items() if state not in (None, "SUCCESS")]
    depths = queue_depths()
    leftovers = {  # queries in flight are the checks' own, and expire anyway
        q: d for q, d in depths.items() if d != (0, 0) and ".retry." not in q and ".query." not in q
    }

    rows = [
        ("commands accepted", len(driver.ledger.accepted) - len(unknown)),
        ("answers with an unknown outcome (504)", len(unknown)),
        ("  of them settled", sum(outcomes[t] is not None for t in unknown)),
        ("answers retried (503, refused, in flight)", driver.ledger.refused),
        ("faults injected", len(FAULTS)),
        ("unfinished tasks", len(unfinished)),
        ("failed tasks", len(failed)),
        ("lost", lost),
        ("duplicated", duplicated),
        ("effects whose task never settled", untold),
    ]
    print("\n" + "\n".join(f"{label:<44}{value:>8}" for label, value in rows))
    for name, seconds in recovery.items():
        print(f"recovery after {name:<29}{seconds:>8.1f} s")
    print(f"p99 recovery {statistics.quantiles(list(recovery.values()), n=100)[98]:.1f} s")

    assert len(driver.ledger.accepted) > 50
    assert unfinished == [] and failed == []
    assert lost == 0 and duplicated == 0 and untold == 0, problems
    assert leftovers == {}, leftovers
