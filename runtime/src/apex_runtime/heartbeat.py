"""Each process says every few seconds whether it is ready, in one Redis hash that every
deployment shares (local, Compose, Kubernetes), so `GET /admin/status` and `apex status` see
every instance of every service without reaching their side ports."""

import asyncio
import logging
import os
import socket
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from apex_contracts.operations import Heartbeat, ServiceStatus
from apex_contracts.topology import REDIS_HEARTBEATS

from .redis_pool import REDIS_UNAVAILABLE
from .side_server import Check, run_checks

log = logging.getLogger(__name__)

BEAT_S = 5.0
SOON_S = 0.5
STALE_S = 15.0  # an instance not heard from in this long is down
FORGET_S = 3600.0  # its entry is dropped after this long


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def beat(redis: Redis, service: str, instance: str, checks: dict[str, Check]) -> bool:
    """Write this instance's readiness now; whether it is ready."""
    outcomes = await run_checks(checks)
    heartbeat = Heartbeat(
        service=service,
        instance=instance,
        ready=all(v == "ok" for v in outcomes.values()),
        checks=outcomes,
        at=datetime.now(UTC),
    )
    await redis.hset(REDIS_HEARTBEATS, f"{service}/{instance}", heartbeat.model_dump_json())
    return heartbeat.ready


async def beat_forever(redis: Redis, service: str, checks: dict[str, Check]) -> None:
    """Write this process's readiness every `BEAT_S` (every `SOON_S` while it is not ready,
    as at start, so that it is seen ready soon after it is) until cancelled, then remove it."""
    instance = instance_name()
    try:
        while True:
            ready = False
            try:
                ready = await beat(redis, service, instance, checks)
            except REDIS_UNAVAILABLE:  # Redis is one of the checks: it is seen as not ready
                log.debug("heartbeat not written: Redis unavailable")
            await asyncio.sleep(BEAT_S if ready else SOON_S)
    finally:
        try:
            await asyncio.shield(redis.hdel(REDIS_HEARTBEATS, f"{service}/{instance}"))
        except (*REDIS_UNAVAILABLE, asyncio.CancelledError):  # type: ignore[misc]
            pass  # it goes stale and is reported down, as it is


async def statuses(redis: Redis, expected: Iterable[str]) -> list[ServiceStatus]:
    """Each service's status from its instances' heartbeats: ready when at least one instance
    is live and every live one is ready; an `expected` service never heard from is down."""
    now = datetime.now(UTC)
    raw = await redis.hgetall(REDIS_HEARTBEATS)
    beats: dict[str, list[Heartbeat]] = {name: [] for name in expected}
    forgotten = []
    for field, value in raw.items():
        heartbeat = Heartbeat.model_validate_json(value)
        if now - heartbeat.at > timedelta(seconds=FORGET_S):
            forgotten.append(field)
        else:
            beats.setdefault(heartbeat.service, []).append(heartbeat)
    if forgotten:
        await redis.hdel(REDIS_HEARTBEATS, *forgotten)
    return [_status(name, sorted(beats[name], key=lambda b: b.instance), now) for name in beats]


def _status(name: str, instances: list[Heartbeat], now: datetime) -> ServiceStatus:
    live = [b for b in instances if now - b.at <= timedelta(seconds=STALE_S)]
    if not live:
        last = max((b.at for b in instances), default=None)
        seen = f"last heard from {(now - last).total_seconds():.0f} s ago" if last else "never"
        detail = f"no live instance ({seen})"
        return ServiceStatus(name=name, ready=False, detail=detail, instances=instances)
    failing = sorted(
        {f"{check}: {result}" for b in live for check, result in b.checks.items() if result != "ok"}
    )
    return ServiceStatus(
        name=name,
        ready=not failing,
        detail="; ".join(failing) or None,
        instances=instances,
    )
