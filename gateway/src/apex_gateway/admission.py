"""Rate limits (GCRA) and idempotency records: one atomic Redis step per request.

GCRA keeps one "theoretical arrival time" per principal: exact under concurrency and across
gateway processes because the check and the update are one Lua script on the Redis clock.
"""

import logging
import math
import time
from dataclasses import dataclass

import orjson
from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from apex_contracts import topology as t
from apex_runtime.redis_pipeline import AutoPipeline, Script
from apex_runtime.redis_pool import REDIS_UNAVAILABLE
from apex_runtime.status_store import CREATE_TASK_LUA, NewTask, children_key, task_key

log = logging.getLogger(__name__)
FALLBACKS = Counter(
    "apex_gateway_rate_limit_fallback_total",
    "Requests rate-limited in process because Redis was unreachable",
)

# A Lua function: GCRA for the rate key, then (when admitted) claim the idempotency key with
# an in-flight record. ARGV: interval ms, tolerance ms, in-flight record, in-flight ttl ms.
# Returns allowed (0/1), wait ms, remaining, reset ms, the key's existing record or ''.
_ADMIT_LUA = """
local function admit(rate_key, idempotency_key)
  local t = redis.call('TIME')
  local now = t[1] * 1000 + math.floor(t[2] / 1000)
  local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
  local tat = tonumber(redis.call('GET', rate_key) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - tolerance - interval
  if now < allow_at then
    return 0, allow_at - now, 0, tat - now, ''
  end
  redis.call('SET', rate_key, new_tat, 'PX', math.ceil(new_tat - now) + 1000)
  local remaining = math.floor((tolerance + interval - (new_tat - now)) / interval)
  local record = ''
  if idempotency_key then
    if not redis.call('SET', idempotency_key, ARGV[3], 'NX', 'PX', ARGV[4]) then
      record = redis.call('GET', idempotency_key) or ''
    end
  end
  return 1, 0, remaining, new_tat - now, record
end
"""

# KEYS: rate key, idempotency key (optional).
_ADMIT = (
    _ADMIT_LUA
    + """
local allowed, wait, remaining, reset, record = admit(KEYS[1], KEYS[2])
return {allowed, wait, remaining, reset, record}
"""
)

# A command and its task record in one step. KEYS: rate key, task key, idempotency key
# (optional). ARGV: those of `admit`, then NewTask.args from ARGV[5]. The task is written only
# when the request is admitted and its key (if any) was free.
_ADMIT_TASK = (
    _ADMIT_LUA
    + CREATE_TASK_LUA
    + """
local allowed, wait, remaining, reset, record = admit(KEYS[1], KEYS[3])
if allowed == 1 and record == '' then create_task(KEYS[2], 5) end
return {allowed, wait, remaining, reset, record}
"""
)

# A read of a task in the same step as its request is counted (a polling client's every
# request). KEYS: rate key, task key, task's children list. ARGV: those of `admit`. Returns
# the decision's fields, then (when admitted) the task hash as a flat list and its child ids.
_ADMIT_READ = (
    _ADMIT_LUA
    + """
local allowed, wait, remaining, reset = admit(KEYS[1], nil)
if allowed == 0 then return {allowed, wait, remaining, reset, '', {}, {}} end
local task = redis.call('HGETALL', KEYS[2])
local children = redis.call('LRANGE', KEYS[3], 0, -1)
return {allowed, wait, remaining, reset, '', task, children}
"""
)

IN_FLIGHT_TTL_MS = 45_000  # past the longest request (Prefer: wait=30): its gateway died


@dataclass(frozen=True)
class TaskRead:
    """A task as `admit_read` found it: its hash (empty if there is none) and child ids."""

    fields: dict[bytes, bytes]
    child_ids: list[bytes]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: float
    remaining: int
    reset_s: float
    idempotency: dict[str, object] | None = None  # an existing record for the key
    in_process: bool = False  # decided without Redis (unreachable): nothing was written


class Admission:
    def __init__(self, redis: Redis, per_min: int, burst: int, idempotency_ttl_s: int) -> None:
        self.redis = AutoPipeline(redis)  # every request calls it: its calls go together
        self.per_min = per_min
        self.interval_ms = 60_000 / per_min
        self.tolerance_ms = self.interval_ms * burst
        self.idempotency_ttl_ms = idempotency_ttl_s * 1000
        self._admit = Script.of(_ADMIT)
        self._admit_task = Script.of(_ADMIT_TASK)
        self._admit_read = Script.of(_ADMIT_READ)
        self._local: dict[str, float] = {}  # per-process fallback: principal -> TAT (ms)
        self._warned_at = 0.0

    @property
    def policy(self) -> str:
        """The `RateLimit-Policy` field value (IETF draft-ietf-httpapi-ratelimit-headers)."""
        return f'"default";q={self.per_min};w=60'

    async def admit(
        self,
        bucket: str,
        idempotency_key: str | None = None,
        fingerprint: str = "",
        task: NewTask | None = None,
    ) -> Decision:
        """Count the request, claim its idempotency key and (if given) record its task."""
        keys = [f"{t.REDIS_RATE_LIMIT_PREFIX}{bucket}"]
        if task is not None:
            keys.append(task.key)
        in_flight = ""
        if idempotency_key is not None:
            keys.append(f"{t.REDIS_IDEMPOTENCY_PREFIX}{bucket}:{idempotency_key}")
            in_flight = orjson.dumps({"state": "in_flight", "fingerprint": fingerprint}).decode()
        args: list[str | int | float] = [
            self.interval_ms, self.tolerance_ms, in_flight, IN_FLIGHT_TTL_MS
        ]  # fmt: skip
        try:
            if task is None:
                reply = await self.redis.script(self._admit, keys, args)
            else:
                reply = await self.redis.script(self._admit_task, keys, [*args, *task.args])
        except RedisError:
            return self._admit_locally(bucket)
        allowed, wait_ms, remaining, reset_ms, record = reply
        existing = orjson.loads(record) if record else None
        if task is not None and allowed and existing is None:
            task.written()  # the script wrote it: its PENDING is counted
        return _decided(allowed, wait_ms, remaining, reset_ms, existing)

    async def admit_read(self, bucket: str, task_id: str) -> tuple[Decision, TaskRead | None]:
        """Count the request and, when admitted, read the task: one Redis step.

        Redis unreachable: the decision of the in-process limit, and no task (None)."""
        keys = [f"{t.REDIS_RATE_LIMIT_PREFIX}{bucket}", task_key(task_id), children_key(task_id)]
        try:
            allowed, wait_ms, remaining, reset_ms, _, flat, child_ids = await self.redis.script(
                self._admit_read,
                keys,
                [self.interval_ms, self.tolerance_ms],  # no claim
            )
        except RedisError:
            return self._admit_locally(bucket), None
        task = dict(zip(flat[::2], flat[1::2], strict=True))
        return _decided(allowed, wait_ms, remaining, reset_ms), TaskRead(task, child_ids)

    def _admit_locally(self, bucket: str) -> Decision:
        """Redis is down: the same GCRA, per process (each gateway grants its own quota)."""
        FALLBACKS.inc()
        now = time.monotonic() * 1000
        if now - self._warned_at > 10_000:
            log.warning("Redis unreachable: rate limits fall back to this process")
            self._warned_at = now
        tat = max(self._local.get(bucket, now), now)
        new_tat = tat + self.interval_ms
        allow_at = new_tat - self.tolerance_ms - self.interval_ms
        if now < allow_at:
            return Decision(False, (allow_at - now) / 1000, 0, (tat - now) / 1000, in_process=True)
        self._local[bucket] = new_tat
        remaining = math.floor(
            (self.tolerance_ms + self.interval_ms - (new_tat - now)) / self.interval_ms
        )
        return Decision(True, 0.0, remaining, (new_tat - now) / 1000, in_process=True)

    async def remember(self, bucket: str, key: str, record: dict[str, object]) -> None:
        """Store the final response of an idempotent request for the retention period."""
        try:
            await self.redis.execute(
                "SET", f"{t.REDIS_IDEMPOTENCY_PREFIX}{bucket}:{key}", orjson.dumps(record), "PX",
                self.idempotency_ttl_ms,
            )  # fmt: skip
        except REDIS_UNAVAILABLE:  # the answer stands: its command may already be sent
            log.warning("could not store an idempotent response", exc_info=True)

    async def forget(self, bucket: str, key: str) -> None:
        """Release a key whose request did not reach a final answer, so a retry may run."""
        try:
            await self.redis.execute("DEL", f"{t.REDIS_IDEMPOTENCY_PREFIX}{bucket}:{key}")
        except REDIS_UNAVAILABLE:
            log.warning("could not release an idempotency key", exc_info=True)

    def headers(self, decision: Decision) -> dict[str, str]:
        return {
            "RateLimit-Policy": self.policy,
            "RateLimit": f'"default";r={decision.remaining};t={math.ceil(decision.reset_s)}',
        }


def _decided(
    allowed: int,
    wait_ms: float,
    remaining: int,
    reset_ms: float,
    existing: dict[str, object] | None = None,
) -> Decision:
    """A decision from the admission script's reply (milliseconds to seconds)."""
    return Decision(bool(allowed), wait_ms / 1000, int(remaining), reset_ms / 1000, existing)
