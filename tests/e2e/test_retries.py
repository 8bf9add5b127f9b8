"""Retries with back-off through delay queues, parking in apex.dead, and replay (real RabbitMQ)."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from uuid import uuid4

import aio_pika
import pytest
from faststream.rabbit.annotations import RabbitMessage
from pydantic import BaseModel

from apex_contracts import topology as t
from apex_runtime.broker import COMMANDS, routed, work_queue
from apex_runtime.errors import Invalid
from apex_runtime.service import ServiceRuntime
from apex_runtime.tasks import MessageContext

from .conftest import System
from .helpers import run_cli
from .test_audit_security import audit_entries


class Echo(BaseModel):
    value: str


@dataclass
class Flaky:
    """A throwaway service on a queue of its own whose handler does what the test says."""

    rt: ServiceRuntime
    queue: str
    behaviour: Callable[[int], Awaitable[Echo]] | None = None
    calls: int = 0
    successes: list[str] = field(default_factory=list)
    misrouted: int = 0

    async def send(self, value: str) -> str:
        task_id = str(uuid4())
        await self.rt.status.create(task_id, "test.run", "demo", "dev")
        await self.rt.broker.publish(
            {"value": value}, exchange=COMMANDS, routing_key=f"{self.queue}.run",
            correlation_id=task_id, message_id=str(uuid4()),
            headers={"x-apex-account": "demo", "x-apex-actor": "dev"}, persist=True,
        )  # fmt: skip
        return task_id

    async def states_until_final(self, task_id: str, timeout_s: float = 40) -> list[str]:
        seen: list[str] = []
        deadline = asyncio.get_running_loop().time() + timeout_s
        while asyncio.get_running_loop().time() < deadline:
            task = await self.rt.status.get(task_id)
            assert task is not None
            if not seen or seen[-1] != task.state:
                seen.append(task.state)
            if task.state in ("SUCCESS", "FAILURE", "REVOKED"):
                return seen
            await asyncio.sleep(0.01)
        raise AssertionError(f"not final: {seen}")


async def _flaky(system: System, max_attempts: int) -> AsyncIterator[Flaky]:
    queue = f"test-retry-{uuid4().hex[:8]}"
    settings = system.settings.model_copy(update={"max_attempts": max_attempts})
    rt = ServiceRuntime("retry-test", settings, 0, with_db=False)
    runner = rt.task_runner(queue)
    flaky = Flaky(rt, queue)

    commands = rt.broker.subscriber(work_queue(queue, f"{queue}.run", settings), COMMANDS)

    # dispatch by routing key, as the services do: a retried copy must still find its handler
    @commands(filter=routed(f"{queue}.run"))
    async def handle(body: Echo, msg: RabbitMessage) -> None:
        async def work(ctx: MessageContext) -> Echo:
            flaky.calls += 1
            assert flaky.behaviour is not None
            result = await flaky.behaviour(flaky.calls)
            flaky.successes.append(body.value)
            return result

        await runner.run(msg, work)

    @commands
    async def unknown(body: object, msg: RabbitMessage) -> None:
        flaky.misrouted += 1

    await rt.start()
    yield flaky
    await rt.stop()
    connection = await aio_pika.connect(system.settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        for name in [queue] + [f"{queue}.retry.{d}s" for d in (1, 2, 4, 8, 16, 30)]:
            await channel.queue_delete(name)


@pytest.fixture
async def flaky(system: System) -> AsyncIterator[Flaky]:
    async for service in _flaky(system, max_attempts=5):
        yield service


@pytest.fixture
async def fragile(system: System) -> AsyncIterator[Flaky]:
    async for service in _flaky(system, max_attempts=2):
        yield service


@pytest.mark.slow
async def test_three_failures_then_success_backs_off_and_succeeds_once(flaky: Flaky) -> None:
    async def fail_three_times(call: int) -> Echo:
        if call <= 3:
            raise RuntimeError(f"transient {call}")
        return Echo(value="done")

    flaky.behaviour = fail_three_times
    task_id = await flaky.send("a")
    started = asyncio.get_running_loop().time()
    states = await flaky.states_until_final(task_id)
    elapsed = asyncio.get_running_loop().time() - started
    task = await flaky.rt.status.get(task_id)
    assert task is not None and task.state == "SUCCESS" and task.result == {"value": "done"}
    assert task.attempts == 4 and "RETRY" in states
    assert flaky.successes == ["a"]
    assert flaky.misrouted == 0
    assert elapsed >= (1 + 2 + 4) * 0.8  # the back-off waited (jitter shortens by at most 20%)


@pytest.mark.slow
async def test_out_of_attempts_parks_in_apex_dead_and_replay_runs_it_once(
    system: System, fragile: Flaky
) -> None:
    async def always_fail(call: int) -> Echo:
        raise RuntimeError("still broken")

    fragile.behaviour = always_fail
    task_id = await fragile.send("b")
    await fragile.states_until_final(task_id)
    task = await fragile.rt.status.get(task_id)
    assert task is not None and task.state == "FAILURE"
    assert task.error is not None and "out of attempts" in task.error.message

    async def now_works(call: int) -> Echo:
        return Echo(value="recovered")

    fragile.behaviour = now_works
    listing = await run_cli("dlq", "list")
    line = next(row for row in listing.splitlines() if task_id in row)
    assert f"queue={fragile.queue}" in line
    assert "out of attempts" in line
    replayed = await run_cli("dlq", "replay", line.split()[0])
    assert "replayed 1" in replayed and "not recorded" not in replayed
    for _ in range(250):
        if fragile.successes:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    assert fragile.successes == ["b"]  # exactly once
    assert task_id not in await run_cli("dlq", "list")
    (entry,) = await audit_entries(system, "demo", t.DEAD_LETTER_REPLAYED, {"task_id": task_id})
    assert entry["actor"].startswith("cli:")  # who replayed it, from where
    assert entry["payload"]["queue"] == fragile.queue


async def test_domain_refusal_fails_at_once_without_retry(flaky: Flaky) -> None:
    async def refuse(call: int) -> Echo:
        raise Invalid("not acceptable")

    flaky.behaviour = refuse
    states = await flaky.states_until_final(await flaky.send("c"))
    assert "RETRY" not in states and states[-1] == "FAILURE"
    assert flaky.calls == 1


async def test_unavailable_dependency_retries_without_spending_attempts(fragile: Flaky) -> None:
    async def database_down_twice(call: int) -> Echo:
        if call <= 3:
            raise ConnectionRefusedError("PostgreSQL is restarting")
        return Echo(value="caught up")

    fragile.behaviour = database_down_twice  # three outages > max_attempts 2, yet no FAILURE
    task_id = await fragile.send("d")
    states = await fragile.states_until_final(task_id, timeout_s=60)
    assert states[-1] == "SUCCESS", states
