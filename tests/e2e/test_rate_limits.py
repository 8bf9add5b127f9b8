"""Per-principal rate limits, exact across two gateway processes sharing Redis."""

import asyncio
import re
from collections import Counter
from uuid import uuid4

import aiohttp
import pytest

from apex_gateway.deps import DEPS

from .conftest import System, bearer
from .gateways import gateway_processes

PER_MIN, BURST = 10, 5  # capacity: BURST + 1 at once, then one every 6 s


async def hit(
    url: str, headers: dict[str, str], path: str = "/projects?limit=1"
) -> tuple[int, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(url + path, headers=headers) as r:
        await r.read()
        return r.status, dict(r.headers)


@pytest.mark.slow
async def test_limit_is_exact_across_two_gateways_and_answers_429(system: System) -> None:
    async with gateway_processes(
        [18090, 18091], rate_limit_per_min=str(PER_MIN), rate_limit_burst=str(BURST)
    ) as urls:
        me = bearer(system.settings, sub=f"busy-{uuid4().hex[:6]}")
        results = await asyncio.gather(*(hit(urls[i % 2], me) for i in range(30)))
        statuses = Counter(status for status, _ in results)
        assert statuses == {200: BURST + 1, 429: 30 - BURST - 1}, statuses
        for status, headers in results:
            assert headers["RateLimit-Policy"] == f'"default";q={PER_MIN};w=60'
            assert re.fullmatch(r'"default";r=\d+;t=\d+', headers["RateLimit"])
            if status == 429:
                assert 1 <= int(headers["Retry-After"]) <= 6

        # another principal has its own bucket
        other = bearer(system.settings, sub=f"calm-{uuid4().hex[:6]}")
        assert (await hit(urls[0], other))[0] == 200


@pytest.mark.slow
async def test_unauthenticated_requests_are_limited_per_ip_and_xff_is_not_trusted(
    system: System,
) -> None:
    await system.app[DEPS].redis.delete("apex:rl:ip:127.0.0.1")  # a bucket shared with other tests
    async with gateway_processes(
        [18092], rate_limit_per_min=str(PER_MIN), rate_limit_burst=str(BURST)
    ) as (url,):
        results = [
            await hit(url, {"Authorization": "Bearer junk", "X-Forwarded-For": f"10.9.{i}.1"})
            for i in range(BURST + 3)
        ]
    await system.app[DEPS].redis.delete("apex:rl:ip:127.0.0.1")  # leave it as other tests expect
    statuses = [status for status, _ in results]
    # a client cannot pick a fresh bucket by inventing X-Forwarded-For
    assert statuses == [401] * (BURST + 1) + [429] * 2, statuses


@pytest.mark.slow
async def test_redis_down_falls_back_to_a_local_limiter_not_a_500(system: System) -> None:
    async with gateway_processes(
        [18093],
        probe="/health",
        redis_url="redis://127.0.0.1:1/0",
        rate_limit_per_min=str(PER_MIN),
        rate_limit_burst=str(BURST),
    ) as (url,):
        me = bearer(system.settings)
        statuses = [(await hit(url, me))[0] for _ in range(BURST + 2)]
        async with aiohttp.ClientSession() as session, session.get(url + "/metrics") as r:
            metrics = await r.text()
    assert statuses == [200] * (BURST + 1) + [429], statuses
    fallback = re.search(r"^apex_gateway_rate_limit_fallback_total (\S+)$", metrics, re.M)
    assert fallback is not None and float(fallback.group(1)) >= BURST + 2


@pytest.mark.slow
async def test_commands_are_counted_once_and_a_refused_one_records_no_task(
    system: System,
) -> None:
    """Commands are admitted in the same Redis step that records their task."""
    sub = f"writer-{uuid4().hex[:6]}"
    me = bearer(system.settings, sub=sub)

    async def create(url: str, body: object) -> int:
        async with (
            aiohttp.ClientSession() as session,
            session.post(url + "/projects", json=body, headers=me) as r,
        ):
            await r.read()
            return r.status

    async with gateway_processes(
        [18090, 18091], rate_limit_per_min=str(PER_MIN), rate_limit_burst=str(BURST)
    ) as urls:
        draft = {"name": "limited", "customer": "C"}
        statuses = await asyncio.gather(*(create(urls[i % 2], draft) for i in range(12)))
        # the bucket is empty now: a request that would fail validation is refused, not read
        late_invalid = await create(urls[0], {"name": ""})
    assert Counter(statuses) == {202: BURST + 1, 429: 12 - BURST - 1}, statuses
    assert late_invalid == 429
    redis = system.app[DEPS].redis
    owned = [
        key
        async for key in redis.scan_iter(match="apex:task:*", count=1000, _type="hash")
        if await redis.hget(key, "owner") == sub.encode()
    ]
    assert len(owned) == BURST + 1  # one task per accepted command, none for the refused


@pytest.mark.slow
async def test_a_task_poll_is_counted_once_and_read_in_the_same_step(system: System) -> None:
    """`GET /tasks/{id}` counts the request and reads the task in one Redis script."""
    sub = f"poller-{uuid4().hex[:6]}"
    me = bearer(system.settings, sub=sub)
    task_id = str(uuid4())
    await system.app[DEPS].status.create(task_id, "project.create", "demo", sub)
    async with gateway_processes(
        [18094], rate_limit_per_min=str(PER_MIN), rate_limit_burst=str(BURST)
    ) as (url,):
        polls = [await hit(url, me, f"/tasks/{task_id}") for _ in range(BURST + 2)]
        missing = await hit(url, bearer(system.settings, sub=f"x-{uuid4().hex[:6]}"), "/tasks/nope")
    statuses = [status for status, _ in polls]
    assert statuses == [200] * (BURST + 1) + [429], statuses
    remaining = []
    for _, headers in polls[:-1]:
        found = re.search(r"r=(\d+)", headers["RateLimit"])
        assert found is not None, headers
        remaining.append(int(found[1]))
    assert remaining == list(range(BURST, -1, -1))  # one count per poll
    assert polls[-1][1]["Retry-After"]
    assert missing[0] == 404 and "RateLimit" in missing[1]  # a miss is counted and answered too
