"""Task status in Redis; every transition is one atomic Lua step, so final states stay final."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from redis.asyncio import Redis

from apex_contracts.tasks import (
    ALLOWED_FROM,
    FINAL_STATES,
    ErrorCode,
    TaskError,
    TaskState,
    TaskView,
)
from apex_contracts.topology import REDIS_TASK_FINAL_CHANNEL, REDIS_TASK_PREFIX

_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""

# ARGV: target, allowed-from (comma separated), now, ttl, is_final, channel, task id,
# count attempt, then field/value pairs to set (an empty value deletes the field).
_TRANSITION = """
local current = redis.call('HGET', KEYS[1], 'state')
if not current then return {0, ''} end
local allowed = false
for s in string.gmatch(ARGV[2], '[^,]+') do
  if s == current then allowed = true; break end
end
if not allowed then return {0, current} end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'updated_at', ARGV[3])
for i = 9, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[i])
  else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
if ARGV[8] == '1' then redis.call('HINCRBY', KEYS[1], 'attempts', 1) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
if ARGV[5] == '1' then redis.call('PUBLISH', ARGV[6], ARGV[7]) end
return {1, current}
"""


@dataclass(frozen=True)
class Transition:
    applied: bool
    previous: TaskState | None


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def task_key(task_id: str) -> str:
    return f"{REDIS_TASK_PREFIX}{task_id}"


class StatusStore:
    """Reads and moves tasks; the only code that writes `apex:task:<id>`."""

    def __init__(self, redis: Redis, ttl_s: int) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self._create = redis.register_script(_CREATE)
        self._transition = redis.register_script(_TRANSITION)

    async def create(
        self, task_id: str, kind: str, account: str, owner: str, parent_id: str | None = None
    ) -> bool:
        """Record a new PENDING task; False if the id already exists."""
        now = _now()
        fields = {
            "task_id": task_id,
            "kind": kind,
            "account": account,
            "owner": owner,
            "state": TaskState.PENDING.value,
            "attempts": "0",
            "created_at": now,
            "updated_at": now,
            "parent_id": parent_id or "",
            "children": "[]",
        }
        flat = [x for pair in fields.items() for x in pair]
        created = await self._create(keys=[task_key(task_id)], args=[self.ttl_s, *flat])
        return bool(created)

    async def move(
        self,
        task_id: str,
        target: TaskState,
        *,
        result: Any = None,
        error: TaskError | None = None,
        progress: float | None = None,
        count_attempt: bool = False,
    ) -> Transition:
        """Move a task to `target` if the state machine allows it, atomically."""
        fields: list[str] = []
        if result is not None:
            fields += ["result", orjson.dumps(result, default=str).decode()]
        if error is not None:
            fields += ["error", error.model_dump_json()]
        elif target is TaskState.SUCCESS:
            fields += ["error", ""]  # a RETRY's transient error no longer applies
        if progress is not None:
            fields += ["progress", repr(progress)]
        allowed = ",".join(sorted(s.value for s in ALLOWED_FROM[target]))
        applied, previous = await self._transition(
            keys=[task_key(task_id)],
            args=[
                target.value,
                allowed,
                _now(),
                self.ttl_s,
                "1" if target in FINAL_STATES else "0",
                REDIS_TASK_FINAL_CHANNEL,
                task_id,
                "1" if count_attempt else "0",
                *fields,
            ],
        )
        prev = _text(previous)
        return Transition(bool(applied), TaskState(prev) if prev else None)

    async def start(self, task_id: str) -> Transition:
        return await self.move(task_id, TaskState.STARTED, count_attempt=True)

    async def succeed(self, task_id: str, result: Any) -> Transition:
        return await self.move(task_id, TaskState.SUCCESS, result=result, progress=1.0)

    async def fail(self, task_id: str, code: ErrorCode, message: str) -> Transition:
        return await self.move(
            task_id, TaskState.FAILURE, error=TaskError(code=code, message=message)
        )

    async def retry(self, task_id: str, message: str) -> Transition:
        error = TaskError(code=ErrorCode.UNAVAILABLE, message=message)
        return await self.move(task_id, TaskState.RETRY, error=error)

    async def revoke(self, task_id: str) -> Transition:
        return await self.move(task_id, TaskState.REVOKED)

    async def get(self, task_id: str) -> TaskView | None:
        raw = await self.redis.hgetall(task_key(task_id))
        if not raw:
            return None
        data = {_text(k): _text(v) for k, v in raw.items()}
        return TaskView(
            task_id=data["task_id"],
            kind=data["kind"],
            state=TaskState(data["state"]),
            account=data["account"],
            owner=data["owner"],
            result=orjson.loads(data["result"]) if "result" in data else None,
            error=TaskError.model_validate_json(data["error"]) if "error" in data else None,
            attempts=int(data.get("attempts", "0")),
            progress=float(data["progress"]) if "progress" in data else None,
            created_at=datetime.fromisoformat(data["created_at"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            parent_id=data.get("parent_id") or None,
            children=orjson.loads(data.get("children", "[]")),
        )
