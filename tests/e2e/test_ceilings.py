"""The gateway's own ceilings (apex_gateway.ceilings) in a real gateway process sized small:
beyond one, 503 + Retry-After before any work, counted; never a 500, never a false "Redis
down"; a command that cannot be waited for is still answered truly (202)."""

import asyncio
import resource
from collections import Counter
from collections.abc import AsyncIterator
from uuid import uuid4

import aiohttp
import pytest

from apex_contracts.tasks import TaskState
from apex_gateway.ceilings import raise_open_files_limit
from apex_runtime.redis_pipeline import AutoPipeline
from apex_runtime.redis_pool import RedisBusy

from .conftest import System, bearer
from .gateways import gateway_processes
from .helpers import metric, task_done

PORT = 18096


@pytest.fixture
async def small_gateway(system: System) -> AsyncIterator[str]:
    """Two event streams, two waits and two Redis connections at most (a generous pool wait:
    this gateway's pool is not what its test measures)."""
    async with gateway_processes(
        [PORT], max_sse_streams="2", max_waits="2", redis_max_connections="2",
        redis_pool_timeout_s="10",
    ) as (url,):  # fmt: skip
        yield url


async def pending_task(system: System, account: str) -> str:
    """A task that stays running until the test ends it."""
    task_id = str(uuid4())
    await system.services["projects"].status.create(task_id, "project.create", account, "dev")
    return task_id


@pytest.mark.slow
async def test_streams_and_waits_beyond_their_ceilings_are_503_before_any_work(
    system: System, small_gateway: str
) -> None:
    url = small_gateway
    account = f"ceil-{uuid4().hex[:6]}"
    me = bearer(system.settings, account=account)
    task_id = await pending_task(system, account)
    async with aiohttp.ClientSession(headers=me) as http:
        streams = [await http.get(f"{url}/tasks/{task_id}/events") for _ in range(2)]
        assert [s.status for s in streams] == [200, 200]
        async with http.get(f"{url}/tasks/{task_id}/events") as third:
            body = await third.json()
            assert third.status == 503 and third.headers["Retry-After"] == "1", body
            assert body["errors"][0]["type"] == "busy"
        polls = [asyncio.create_task(http.get(f"{url}/tasks/{task_id}?wait=30")) for _ in range(2)]
        in_use = 'apex_gateway_ceiling_in_use{ceiling="waits"}'
        for _ in range(200):  # until both polls are waiting
            if await metric(http, url, in_use) >= 2:
                break
            await asyncio.sleep(0.05)
        async with http.get(f"{url}/tasks/{task_id}?wait=5") as extra:
            assert extra.status == 503 and extra.headers["Retry-After"] == "1"
        async with http.get(f"{url}/tasks/{task_id}") as plain:  # no wait: no ceiling
            assert plain.status == 200

        # a command asking to wait while every wait is taken: sent, answered 202, made
        draft = {"name": "Not waited for", "customer": "C"}
        async with http.post(f"{url}/projects", json=draft, headers={"Prefer": "wait=5"}) as r:
            accepted = await r.json()
            assert r.status == 202, accepted
            assert "Preference-Applied" not in r.headers
        async with aiohttp.ClientSession(base_url=system.base_url, headers=me) as main:
            assert (await task_done(main, accepted["result"]["task_id"]))["state"] == "SUCCESS"
            async with main.get(f"/projects/{accepted['result']['project_id']}") as made:
                assert made.status == 200

        # the waiters and streams end with the task and free their slots
        await system.services["projects"].status.move(task_id, TaskState.SUCCESS, progress=100)
        assert [(await p).status for p in polls] == [200, 200]
        for stream in streams:
            text = await stream.text()
            assert '"state":"SUCCESS"' in text
            stream.release()
        async with http.get(f"{url}/tasks/{task_id}/events") as again:
            assert again.status == 200
        refused = {
            name: await metric(http, url, f'apex_gateway_limited_total{{answer="{answer}",'
                               f'ceiling="{name}"}}')
            for name, answer in (("sse_streams", "503"), ("waits", "503"))
        }  # fmt: skip
        declined = await metric(
            http, url, 'apex_gateway_limited_total{answer="202",ceiling="waits"}'
        )
    assert refused == {"sse_streams": 1.0, "waits": 1.0}
    assert declined == 1.0


@pytest.mark.slow
@pytest.mark.parametrize("pool_wait_s", ["10", "0.001"])
async def test_an_exhausted_redis_pool_is_503_busy_never_done_not_a_500_nor_redis_down(
    system: System, pool_wait_s: str
) -> None:
    """200 cancels at once outrun the gateway's two Redis connections: each waits its turn
    and is done, or is told 503 busy with Retry-After and is not done; nothing else, and the
    rate limiter never takes the full pool for Redis being down. With a 10 s wait all are
    served; with 1 ms some are refused."""
    async with gateway_processes(
        [PORT + 1], redis_max_connections="2", redis_pool_timeout_s=pool_wait_s
    ) as (url,):
        await _cancel_many(system, url, refusals=pool_wait_s == "0.001")


async def _cancel_many(system: System, url: str, *, refusals: bool) -> None:
    account = f"pool-{uuid4().hex[:6]}"
    me = bearer(system.settings, account=account)
    task_ids = [await pending_task(system, account) for _ in range(200)]
    async with aiohttp.ClientSession(headers=me) as http:

        async def cancel(task_id: str) -> int:
            async with http.delete(f"{url}/tasks/{task_id}") as response:
                body = await response.json()
                if response.status == 503:
                    assert response.headers["Retry-After"] == "1", body
                    assert body["errors"][0]["type"] == "busy", body
                return response.status

        statuses = await asyncio.gather(*(cancel(t) for t in task_ids))
        fallbacks = await metric(http, url, "apex_gateway_rate_limit_fallback_total")
        waits = await metric(http, url, 'apex_redis_pool_waits_total{pool="gateway"}')
    print(f"200 cancels on 2 connections: {Counter(statuses)}, {waits:g} checkouts waited")
    assert set(statuses) == ({200, 503} if refusals else {200}), Counter(statuses)
    status = system.services["projects"].status
    for task_id, answered in zip(task_ids, statuses, strict=True):
        task = await status.get(task_id)
        assert task is not None
        expected = TaskState.REVOKED if answered == 200 else TaskState.PENDING
        assert task.state is expected, (answered, task)  # a 503 was never carried out
    assert fallbacks == 0  # a busy pool is not Redis being down
    assert waits > 0  # the pool was full and callers waited


async def test_an_answer_decided_after_the_publish_stands_when_redis_is_busy_to_store_it(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Idempotency-Key's answer is stored after the command was sent: a pool busy just
    then must not turn the 202 into a 503 (the command runs)."""
    real = AutoPipeline.execute

    async def busy_for_answers(self: AutoPipeline, *args: str | bytes | int | float) -> object:
        if args[0] == "SET" and str(args[1]).startswith("apex:idem:"):
            raise RedisBusy("all connections stayed in use")
        return await real(self, *args)

    monkeypatch.setattr(AutoPipeline, "execute", busy_for_answers)
    me = bearer(system.settings, account=f"store-{uuid4().hex[:6]}")
    async with aiohttp.ClientSession(base_url=system.base_url, headers=me) as http:
        headers = {"Idempotency-Key": uuid4().hex}
        async with http.post(
            "/projects", json={"name": "A", "customer": "B"}, headers=headers
        ) as r:
            body = await r.json()
            assert r.status == 202, body
        assert (await task_done(http, body["result"]["task_id"]))["state"] == "SUCCESS"
        async with http.get(f"/projects/{body['result']['project_id']}") as made:
            assert made.status == 200


@pytest.mark.slow
async def test_ready_says_when_the_open_files_limit_is_below_the_ceilings(system: System) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    too_many = str(10 * max(hard, soft))
    async with (
        gateway_processes([PORT + 2], max_sse_streams=too_many) as (url,),
        aiohttp.ClientSession() as http,
        http.get(f"{url}/ready") as response,
    ):
        body = await response.json()
    assert response.status == 200, body  # ready: only limited
    assert any("open files" in a for a in body["assumptions"]), body


def test_the_soft_open_files_limit_is_raised_to_the_hard_one() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert raise_open_files_limit() == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= soft
    if hard != resource.RLIM_INFINITY:
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == hard
