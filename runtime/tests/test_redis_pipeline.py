"""Auto-pipelined Redis calls against the real Redis: batched, in step, and failing alone."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError, RedisError, ResponseError

from apex_runtime.redis_pipeline import AutoPipeline, Script
from apex_runtime.settings import Settings


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(Settings().redis_url)
    yield client
    await client.aclose()


def counting_checkouts(redis: Redis) -> list[int]:
    """Count the pool checkouts (one per batch sent)."""
    pool = redis.connection_pool
    checkouts: list[int] = []
    original = pool.get_connection

    async def get_connection(*args: Any, **kwargs: Any) -> Any:
        checkouts.append(1)
        return await original(*args, **kwargs)

    pool.get_connection = get_connection  # type: ignore[method-assign]
    return checkouts


async def test_calls_made_together_go_as_one_batch_and_each_gets_its_own_reply(
    redis: Redis,
) -> None:
    pipeline = AutoPipeline(redis)
    checkouts = counting_checkouts(redis)
    keys = [f"test:pipeline:{uuid4().hex}" for _ in range(50)]
    await asyncio.gather(*(pipeline.execute("SET", k, f"value {i}") for i, k in enumerate(keys)))
    assert len(checkouts) == 1
    replies = await asyncio.gather(*(pipeline.execute("GET", k) for k in keys))
    assert replies == [f"value {i}".encode() for i in range(50)]
    assert len(checkouts) == 2
    await redis.delete(*keys)


async def test_calls_made_while_a_batch_is_out_go_together_in_the_next(redis: Redis) -> None:
    pipeline = AutoPipeline(redis)
    checkouts = counting_checkouts(redis)
    key = f"test:pipeline:{uuid4().hex}"
    first = asyncio.create_task(pipeline.execute("INCR", key))
    await asyncio.sleep(0)  # the first batch (one call) is on its way
    later = [asyncio.create_task(pipeline.execute("INCR", key)) for _ in range(20)]
    assert sorted(await asyncio.gather(first, *later)) == list(range(1, 22))
    assert len(checkouts) == 2
    await redis.delete(key)


async def test_an_error_reply_reaches_only_its_caller(redis: Redis) -> None:
    pipeline = AutoPipeline(redis)
    text, counter = f"test:pipeline:{uuid4().hex}", f"test:pipeline:{uuid4().hex}"
    await redis.set(text, "not a number")
    outcomes = await asyncio.gather(
        pipeline.execute("INCR", counter),
        pipeline.execute("INCR", text),
        pipeline.execute("INCR", counter),
        return_exceptions=True,
    )
    assert outcomes[0] == 1 and outcomes[2] == 2
    assert isinstance(outcomes[1], ResponseError)
    assert await pipeline.execute("GET", text) == b"not a number"  # still in step
    await redis.delete(text, counter)


async def test_a_script_redis_does_not_hold_is_sent_with_its_source(redis: Redis) -> None:
    pipeline = AutoPipeline(redis)
    script = Script.of("return {KEYS[1], ARGV[1] + 1}")
    await redis.script_flush()
    assert await pipeline.script(script, ["k"], [41]) == [b"k", 42]
    assert await redis.script_exists(script.sha) == [True]  # EVAL cached it
    assert await pipeline.script(script, ["k"], [1.5]) == [b"k", 2]  # Lua: 2.5 -> integer 2


async def test_a_caller_that_stops_waiting_leaves_the_others_in_step(redis: Redis) -> None:
    pipeline = AutoPipeline(redis)
    keys = [f"test:pipeline:{uuid4().hex}" for _ in range(5)]
    await asyncio.gather(*(redis.set(k, k) for k in keys))
    calls = [asyncio.create_task(pipeline.execute("GET", k)) for k in keys]
    await asyncio.sleep(0)
    calls[2].cancel()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    assert isinstance(outcomes[2], asyncio.CancelledError)
    assert [o for i, o in enumerate(outcomes) if i != 2] == [
        k.encode() for i, k in enumerate(keys) if i != 2
    ]
    assert await asyncio.gather(*(pipeline.execute("GET", k) for k in keys)) == [
        k.encode() for k in keys
    ]
    await redis.delete(*keys)


async def test_a_connection_lost_mid_batch_fails_that_batch_and_the_next_reconnects(
    redis: Redis,
) -> None:
    pipeline = AutoPipeline(redis)
    name, key = f"test-pipeline-{uuid4().hex[:8]}", f"test:pipeline:{uuid4().hex}"
    await pipeline.execute("CLIENT", "SETNAME", name)
    blocked = asyncio.create_task(pipeline.execute("BLPOP", key, 5))
    behind = asyncio.create_task(pipeline.execute("GET", key))  # same batch, after the BLPOP
    for _ in range(100):
        await asyncio.sleep(0.02)
        if any(c.get("name") == name for c in await redis.client_list()):
            break
    await redis.execute_command(
        "CLIENT", "KILL", "SKIPME", "yes", "ID", _id_of(await redis.client_list(), name)
    )
    for call in (blocked, behind):
        with pytest.raises(RedisError):
            await call
    assert await pipeline.execute("SET", key, "after") == b"OK"
    assert await pipeline.execute("GET", key) == b"after"
    await redis.delete(key)


def _id_of(clients: list[dict[str, Any]], name: str) -> str:
    return str(next(c["id"] for c in clients if c.get("name") == name))


async def test_redis_unreachable_fails_each_call_with_a_redis_error() -> None:
    dead = Redis(host="127.0.0.1", port=1)  # nothing listens there
    pipeline = AutoPipeline(dead)
    outcomes = await asyncio.gather(
        *(pipeline.execute("GET", "k") for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(o, ConnectionError) for o in outcomes), outcomes
    await dead.aclose()
