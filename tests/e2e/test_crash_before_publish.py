"""`kill -9` of project-service after its commit and before its events are published.

The moment is made exact, not hoped for: RabbitMQ's memory alarm blocks every publishing
connection, so the service commits its batch, writes its events to a socket the broker no
longer reads, and waits for confirms that cannot come. The test sees the commit in PostgreSQL
(the rows, and their outbox rows unsent) and kills the process there. The commands were never
acked, so RabbitMQ delivers them again to the next process, whose inbox (updates) and
derived ids (creates) recognise them as done; the events reach RabbitMQ through that
process's outbox relay, which drains every unsent row when it starts (a surviving replica's
sweep takes rows older than `APEX_OUTBOX_SWEEP_AFTER_S`: `test_batches.py`). Had the broker
read the blocked publishes before the kill, an event goes out twice, and consumers drop the
second by `message_id`: the audit log must show each event once.
"""

import asyncio
import signal
import subprocess
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from uuid import uuid4

import aiohttp
import asyncpg
import pytest

from .conftest import System
from .helpers import audit_types, call, create_project, task_done
from .out_of_process import start_project_service

SWEEP_AFTER_S = "1"


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=30)


@asynccontextmanager
async def publishing_blocked() -> AsyncIterator[None]:
    """RabbitMQ's memory alarm for the duration: publishing connections are blocked."""
    rabbitmqctl("set_vm_memory_high_watermark", "0.00001")
    try:
        yield
    finally:
        rabbitmqctl("set_vm_memory_high_watermark", "0.4")


async def committed_unsent(database: asyncpg.Connection, project_ids: Sequence[str]) -> int:
    """How many outbox rows of these projects are committed and not marked sent."""
    count = await database.fetchval(
        "SELECT count(*) FROM projects.outbox WHERE sent_at IS NULL AND aggregate_id = ANY($1)",
        list(project_ids),
    )
    return int(count)


async def created_ids(database: asyncpg.Connection, run: str) -> list[str]:
    rows = await database.fetch(
        "SELECT id::text FROM projects.projects WHERE name LIKE $1 ORDER BY id::text",
        f"kill9-{run}-new-%",
    )
    return [row["id"] for row in rows]


async def stuck_after_commit(
    database: asyncpg.Connection, run: str, existing: Sequence[str]
) -> int:
    """Wait until the service has committed a batch it cannot publish: its outbox rows stay
    unsent and nothing else commits (it publishes a batch's events before the next batch)."""
    seen, steady = 0, 0
    for _ in range(300):
        unsent = await committed_unsent(database, [*existing, *await created_ids(database, run)])
        steady = steady + 1 if unsent == seen and unsent > 0 else 0
        if steady == 10:
            return unsent
        seen = unsent
        await asyncio.sleep(0.05)
    raise AssertionError(f"project-service did not commit the queued commands ({seen} unsent)")


async def accepted(http: aiohttp.ClientSession, method: str, path: str, **kwargs: object) -> str:
    status, envelope, _ = await call(http, method, path, **kwargs)
    assert status == 202, envelope
    return envelope["result"]["task_id"]  # type: ignore[no-any-return]


@pytest.mark.slow
async def test_kill_9_between_commit_and_publish_loses_no_event_and_doubles_no_effect(
    http: aiohttp.ClientSession, system: System, project_service_out_of_process: None
) -> None:
    run = uuid4().hex[:8]
    first = await start_project_service(system)
    existing = [await create_project(http, f"kill9-{run}-existing-{i}") for i in range(5)]
    first.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(first.wait(), 15) == 0

    # Queued while no project-service runs, alternating: updates (which claim an inbox row)
    # and creates (idempotent by the id their Idempotency-Key derives).
    updates, creates = [], []
    for i, project_id in enumerate(existing):
        updates.append(
            await accepted(
                http,
                "PUT",
                f"/projects/{project_id}",
                json={"name": f"kill9-{run}-updated", "customer": "Acme"},
                headers={"If-Match": '"1"'},
            )
        )
        creates.append(
            await accepted(
                http,
                "POST",
                "/projects",
                json={"name": f"kill9-{run}-new-{i}", "customer": "Acme"},
                headers={"Idempotency-Key": f"kill9-{run}-{i}"},
            )
        )

    database = await asyncpg.connect(system.settings.database_url.replace("+asyncpg", ""))
    try:
        async with publishing_blocked():
            doomed = await start_project_service(system, APEX_OUTBOX_SWEEP_AFTER_S=SWEEP_AFTER_S)
            try:
                stuck = await stuck_after_commit(database, run, existing)
            finally:
                doomed.send_signal(signal.SIGKILL)
                await doomed.wait()
            # Committed, never published, never acked: the database holds the only copy.
            new_ids = await created_ids(database, run)
            assert await committed_unsent(database, [*existing, *new_ids]) == stuck > 0

        successor = await start_project_service(system, APEX_OUTBOX_SWEEP_AFTER_S=SWEEP_AFTER_S)
        try:
            tasks = [await task_done(http, task_id, timeout_s=30) for task_id in updates + creates]
            new_ids = await created_ids(database, run)
            for _ in range(200):
                if await committed_unsent(database, [*existing, *new_ids]) == 0:
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the sweep did not publish the committed events")
            await asyncio.sleep(2 * float(SWEEP_AFTER_S))  # later sweeps publish nothing again
            rows = await database.fetch(
                "SELECT id::text, version FROM projects.projects WHERE id::text = ANY($1)",
                [*existing, *new_ids],
            )
        finally:
            successor.send_signal(signal.SIGTERM)
            await asyncio.wait_for(successor.wait(), 15)
    finally:
        await database.close()

    # Every task tells what happened: each redelivered command was recognised as done.
    assert [t["state"] for t in tasks] == ["SUCCESS"] * 10, tasks
    assert [t["result"]["version"] for t in tasks[:5]] == [2] * 5
    assert sorted(t["result"]["project_id"] for t in tasks[5:]) == new_ids
    assert {row["id"]: row["version"] for row in rows} == {
        **{project_id: 2 for project_id in existing},
        **{project_id: 1 for project_id in new_ids},
    }
    # Every event arrived, and the audit log (a consumer of every event) took each one once.
    for project_id in existing:
        types = await audit_types(http, project_id, {"project.created", "project.updated"})
        assert (types.count("project.created"), types.count("project.updated")) == (1, 1)
    for project_id in new_ids:
        types = await audit_types(http, project_id, {"project.created"})
        assert types.count("project.created") == 1
