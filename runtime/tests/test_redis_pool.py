"""The waiting Redis pool against the real Redis: a full pool waits, then says busy (not down);
a Redis that is really down still fails as redis-py's ConnectionError."""

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError, RedisError

from apex_runtime.redis_pool import TIMEOUTS, WAITS, RedisBusy, redis_client
from apex_runtime.settings import Settings


def small_pool(url: str, size: int = 2, timeout_s: float = 0.3) -> Redis:
    settings = Settings(redis_url=url, redis_max_connections=size, redis_pool_timeout_s=timeout_s)
    return redis_client(settings, f"test-{uuid4().hex[:6]}")


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = small_pool(Settings().redis_url)
    yield client
    await client.aclose()


def _count(metric: object, pool: str) -> float:
    return metric.labels(pool)._value.get()  # type: ignore[attr-defined]


async def test_a_full_pool_waits_for_a_connection_instead_of_failing(redis: Redis) -> None:
    name = redis.connection_pool.name  # type: ignore[attr-defined]
    # two BLPOPs hold both connections for 0.2 s; the third call waits for one of them
    key = f"apex-test:{uuid4().hex}"
    held = [asyncio.create_task(redis.blpop([key], timeout=0.2)) for _ in range(2)]
    await asyncio.sleep(0.05)
    assert await redis.ping() is True  # waited, then served
    await asyncio.gather(*held)
    assert _count(WAITS, name) >= 1
    assert _count(TIMEOUTS, name) == 0


async def test_a_pool_busy_past_its_timeout_is_redis_busy_not_a_redis_error(
    redis: Redis,
) -> None:
    name = redis.connection_pool.name  # type: ignore[attr-defined]
    key = f"apex-test:{uuid4().hex}"
    held = [asyncio.create_task(redis.blpop([key], timeout=1)) for _ in range(2)]
    await asyncio.sleep(0.05)
    with pytest.raises(RedisBusy) as caught:
        await redis.ping()
    assert not isinstance(caught.value, RedisError)  # the "Redis is down" paths never see it
    assert "2 Redis connections" in str(caught.value)
    assert _count(TIMEOUTS, name) == 1
    await asyncio.gather(*held)
    assert await redis.ping() is True  # free again


async def test_a_redis_that_is_down_is_still_a_connection_error() -> None:
    dead = small_pool("redis://127.0.0.1:1/0")
    try:
        with pytest.raises(ConnectionError):
            await dead.ping()
    finally:
        await dead.aclose()
