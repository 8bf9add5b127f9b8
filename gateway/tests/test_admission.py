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


async def test_a_command_is_admitted_and_its_task_recorded_in_one_step(redis: Redis) -> None:
    from apex_runtime.status_store import StatusStore

    store = StatusStore(redis, ttl_s=60)
    admission = Admission(redis, per_min=60, burst=0, idempotency_ttl_s=60)
    bucket, key = f"t:{uuid4()}", str(uuid4())
    first = store.new_task(str(uuid4()), "project.create", "acct", "me")
    decision = await admission.admit(bucket, key, "fp", first)
    assert decision.allowed and decision.idempotency is None and not decision.in_process
    recorded = await redis.hgetall(first.key)
    assert recorded[b"state"] == b"PENDING" and recorded[b"kind"] == b"project.create"
    assert recorded[b"account"] == b"acct" and 0 < await redis.ttl(first.key) <= 60

    # over the limit: refused, and nothing is recorded
    refused = store.new_task(str(uuid4()), "project.create", "acct", "me")
    assert not (await admission.admit(bucket, None, "", refused)).allowed
    assert not await redis.exists(refused.key)

    # the same key again (once the limit allows): the earlier record answers, no new task
    await redis.delete(f"apex:rl:{bucket}")
    again = store.new_task(str(uuid4()), "project.create", "acct", "me")
    repeat = await admission.admit(bucket, key, "fp", again)
    assert repeat.allowed and repeat.idempotency == {"state": "in_flight", "fingerprint": "fp"}
    assert not await redis.exists(again.key)


async def test_security_events_are_bounded_and_dropped_ones_counted() -> None:
    from aiohttp.test_utils import make_mocked_request

    from apex_gateway.security_events import DROPPED, SecurityEvents
    from apex_runtime.amqp_client import BrokerClient

    never_connected = BrokerClient("amqp://guest:guest@127.0.0.1:1/", "test-never-connected")
    events = SecurityEvents(never_connected, capacity=2)
    request = make_mocked_request("GET", "/projects")
    before = DROPPED._value.get()
    for _ in range(3):
        events.auth_failed(request, "10.0.0.1", "bad signature")
    assert DROPPED._value.get() == before + 1  # the queue holds two
    events.start()
    await events.stop(grace_s=2)  # the broker is unreachable: both are dropped, not retried
    assert DROPPED._value.get() == before + 3


async def test_a_task_is_read_in_the_step_that_counts_the_request(redis: Redis) -> None:
    from apex_runtime.status_store import StatusStore

    store = StatusStore(redis, ttl_s=60)
    admission = Admission(redis, per_min=60, burst=1, idempotency_ttl_s=60)
    bucket, parent, child = f"t:{uuid4()}", str(uuid4()), str(uuid4())
    await store.create(parent, "project.submit", "acct", "me")
    await store.create(child, "email_pm", "acct", "me", parent_id=parent)

    decision, read = await admission.admit_read(bucket, parent)
    assert decision.allowed and decision.remaining == 1 and read is not None
    task = await store.record_of(read.fields, read.child_ids)
    assert task == await store.get(parent)
    assert task is not None and [c.task_id for c in task.children] == [child]

    decision, read = await admission.admit_read(bucket, str(uuid4()))  # no such task
    assert decision.allowed and read is not None and read.fields == {}

    decision, read = await admission.admit_read(bucket, parent)  # over the limit: nothing read
    assert not decision.allowed and decision.retry_after_s > 0
    assert read is not None and read.fields == {} and read.child_ids == []


async def test_a_gate_admits_a_request_once() -> None:
    """A handler that admits on a route the guard already admitted is a bug, not a second count."""
    from apex_gateway.admission import Decision
    from apex_gateway.call import Gate

    gate = Gate(admission=None, bucket="a:b", key=None, fingerprint="")  # type: ignore[arg-type]
    gate.decision = Decision(True, 0.0, 10, 1.0)
    with pytest.raises(RuntimeError, match="admitted already"):
        await gate.admit(None)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="admitted already"):
        await gate.read(None, "t")  # type: ignore[arg-type]
