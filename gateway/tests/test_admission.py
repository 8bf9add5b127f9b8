"""The admission script against real Redis: GCRA arithmetic and idempotency claims."""

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from redis.asyncio import Redis

from apex_gateway.admission import FALLBACKS, Admission
from apex_runtime.settings import Settings


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(Settings().redis_url)
    yield client
    await client.aclose()


async def test_burst_then_refusal_with_retry_after(redis: Redis) -> None:
    admission = Admission(redis, per_min=60, burst=2, idempotency_ttl_s=60)
    bucket = f"t:{uuid4()}"
    decisions = [await admission.admit(bucket) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions[:3]] == [2, 1, 0]
    assert 0 < decisions[3].retry_after_s <= 1.0


async def test_fractional_intervals_use_redis_not_the_fallback(redis: Redis) -> None:
    """100,000 a minute is 0.6 ms apart: the script must cope with non-integer times."""
    admission = Admission(redis, per_min=100_000, burst=10, idempotency_ttl_s=60)
    before = FALLBACKS._value.get()
    bucket, key = f"t:{uuid4()}", str(uuid4())
    assert (await admission.admit(bucket, key, "fp")).idempotency is None
    second = await admission.admit(bucket, key, "fp")
    assert second.idempotency == {"state": "in_flight", "fingerprint": "fp"}
    assert FALLBACKS._value.get() == before


async def test_redis_down_uses_the_same_limit_in_process() -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    admission = Admission(dead, per_min=60, burst=1, idempotency_ttl_s=60)
    allowed = [(await admission.admit("t:down")).allowed for _ in range(3)]
    await dead.aclose()
    assert allowed == [True, True, False]
