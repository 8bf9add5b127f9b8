"""Heartbeats in real Redis: a service is ready while a live instance says so, down when every
instance has gone quiet, and never heard from when none ever wrote."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from redis.asyncio import Redis

from apex_contracts.operations import ServiceStatus
from apex_contracts.topology import REDIS_HEARTBEATS
from apex_runtime.heartbeat import FORGET_S, STALE_S, beat, statuses
from apex_runtime.settings import Settings


async def status_of(redis: Redis, name: str) -> ServiceStatus:
    """`name`'s status (the hash holds every running process's heartbeat too)."""
    return {s.name: s for s in await statuses(redis, [name])}[name]


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(Settings().redis_url)
    yield client
    made = [f for f in await client.hkeys(REDIS_HEARTBEATS) if f.startswith(b"svc-")]
    if made:  # the hash is the running system's too: leave only its own entries
        await client.hdel(REDIS_HEARTBEATS, *made)
    await client.aclose()


async def write(redis: Redis, service: str, instance: str, age_s: float, **checks: str) -> None:
    at = datetime.now(UTC) - timedelta(seconds=age_s)
    value = {"service": service, "instance": instance, "ready": all(v == "ok" for v in
             checks.values()), "checks": checks, "at": at.isoformat()}  # fmt: skip
    await redis.hset(REDIS_HEARTBEATS, f"{service}/{instance}", json.dumps(value))


async def test_a_live_ready_instance_makes_its_service_ready(redis: Redis) -> None:
    name = f"svc-{uuid4().hex[:6]}"

    async def ok() -> None:
        return None

    await beat(redis, name, "host:1", {"broker": ok})
    status = await status_of(redis, name)
    assert status.ready and status.detail is None
    assert [i.instance for i in status.instances] == ["host:1"]


async def test_one_failing_live_instance_makes_it_not_ready(redis: Redis) -> None:
    name = f"svc-{uuid4().hex[:6]}"
    await write(redis, name, "a:1", 1, broker="ok")
    await write(redis, name, "b:2", 1, broker="ok", database="error: OSError: refused")
    await write(redis, name, "c:3", STALE_S + 30, broker="error: down")  # gone quiet: not live
    status = await status_of(redis, name)
    assert not status.ready
    assert status.detail == "database: error: OSError: refused"
    assert len(status.instances) == 3


async def test_a_service_whose_instances_went_quiet_or_never_spoke_is_down(redis: Redis) -> None:
    quiet, silent = f"svc-{uuid4().hex[:6]}", f"svc-{uuid4().hex[:6]}"
    await write(redis, quiet, "a:1", STALE_S + 5, broker="ok")
    found = {s.name: s for s in await statuses(redis, [quiet, silent])}
    assert not found[quiet].ready and "last heard from" in (found[quiet].detail or "")
    assert not found[silent].ready and "never" in (found[silent].detail or "")


async def test_an_instance_quiet_for_an_hour_is_forgotten(redis: Redis) -> None:
    name = f"svc-{uuid4().hex[:6]}"
    await write(redis, name, "old:1", FORGET_S + 1, broker="ok")
    status = await status_of(redis, name)
    assert status.instances == [] and not status.ready
    assert not await redis.hexists(REDIS_HEARTBEATS, f"{name}/old:1")
