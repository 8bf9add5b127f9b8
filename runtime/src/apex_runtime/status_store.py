"""Task status in Redis; every transition is one atomic Lua step, so final states stay final.

A task is a hash `apex:task:<id>`; its children are the list `apex:task:<id>:children`.
Every change publishes the task id on the task's own channel `apex:task-changes:<id>`, and a
child's transition on its parent's channel too (long polls and SSE wake on them).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from redis.asyncio import Redis

from apex_contracts.tasks import (
    ALLOWED_FROM,
    FINAL_STATES,
    ChildTask,
    ErrorCode,
    HistoryEntry,
    TaskError,
    TaskRecord,
    TaskSearch,
    TaskState,
)
from apex_contracts.topology import (
    REDIS_ACCOUNT_TASKS_PREFIX,
    REDIS_TASK_CHANGES_PREFIX,
    REDIS_TASK_PREFIX,
)

from . import message_metrics as metrics
from .telemetry import current_trace_id

# A Lua function other scripts embed (the gateway admits a command and records its task in
# one step): ARGV[first] ttl, ARGV[first + 1] channel prefix, ARGV[first + 2] task id,
# ARGV[first + 3] the account's task index, ARGV[first + 4] the task's score there (creation
# time in microseconds), ARGV[first + 5] its first history entry, then the field/value pairs.
# Returns 1, or 0 when the task exists already. The index is a sorted set that lives as long
# as the account makes tasks; entries older than twice the task TTL are pruned here, and an
# entry whose task has expired is skipped (and dropped) by a search.
CREATE_TASK_LUA = """
local function create_task(key, first)
  if redis.call('EXISTS', key) == 1 then return 0 end
  local ttl, index, score = tonumber(ARGV[first]), ARGV[first + 3], tonumber(ARGV[first + 4])
  redis.call('HSET', key, unpack(ARGV, first + 6))
  redis.call('EXPIRE', key, ttl)
  redis.call('RPUSH', key .. ':history', ARGV[first + 5])
  redis.call('EXPIRE', key .. ':history', ttl)
  redis.call('ZADD', index, score, ARGV[first + 2])
  redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. (score - 2 * ttl * 1000000))
  redis.call('EXPIRE', index, 2 * ttl)
  redis.call('PUBLISH', ARGV[first + 1] .. ARGV[first + 2], ARGV[first + 2])
  return 1
end
"""

# KEYS: task, then (optional) the parent's children list and the parent. ARGV: NewTask.args.
# A child records its parent's trace: the trace of the request that made the family.
_CREATE = (
    CREATE_TASK_LUA
    + """
local created = create_task(KEYS[1], 1)
if created == 1 and #KEYS > 1 then
  redis.call('RPUSH', KEYS[2], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[1])
  local trace = redis.call('HGET', KEYS[3], 'trace_id')
  if trace then redis.call('HSET', KEYS[1], 'trace_id', trace) end
end
return created
"""
)

HISTORY_MAX = 50  # a task's history keeps its latest 50 entries (PENDING, then each move)

# One transition, as a Lua function (the transition script applies it to each task): target,
# allowed-from (comma separated), now, ttl, channel prefix, task id, count attempt ('1'/'0'),
# a table of field/value pairs to set (an empty value deletes the field).
# Each applied transition is appended to the task's history as {state, at, attempt, error}
# (the error on RETRY and FAILURE only) when it is a step: a new state, or a new attempt.
# Returns {applied, previous state, parent id, kind, step (1/0)}. A task
# whose record names a `notify` channel (the gateway process that admitted it) is announced
# there too, as "<id> <state>", and once final as "<id> <state> <JSON [hash as a flat list,
# child ids]>", so that gateway's waiters need no subscription of their own and no read.
TRANSITION_LUA = (
    f"local HISTORY_MAX = {HISTORY_MAX}\n"
    + """
local function transition(key, target, allowed, now, ttl, prefix, task_id, count, fields)
  local current = redis.call('HGET', key, 'state')
  if not current then return {0, '', '', '', 0} end
  local parent = redis.call('HGET', key, 'parent_id') or ''
  local kind = redis.call('HGET', key, 'kind') or ''
  if not string.find(',' .. allowed .. ',', ',' .. current .. ',', 1, true) then
    return {0, current, parent, kind, 0}
  end
  redis.call('HSET', key, 'state', target, 'updated_at', now)
  for i = 1, #fields, 2 do
    if fields[i + 1] == '' then redis.call('HDEL', key, fields[i])
    else redis.call('HSET', key, fields[i], fields[i + 1]) end
  end
  if count == '1' then redis.call('HINCRBY', key, 'attempts', 1) end
  redis.call('EXPIRE', key, ttl)
  -- a step of its history: a new state, or a new attempt (a parent's own result is neither)
  local step = (current ~= target or count == '1') and 1 or 0
  local history = key .. ':history'
  if step == 1 then
    local err = redis.call('HGET', key, 'error')
    if not err or (target ~= 'RETRY' and target ~= 'FAILURE') then err = 'null' end
    redis.call('RPUSH', history, '{"state":"' .. target .. '","at":"' .. now .. '","attempt":'
      .. (redis.call('HGET', key, 'attempts') or '0') .. ',"error":' .. err .. '}')
    redis.call('LTRIM', history, -HISTORY_MAX, -1)
  end
  redis.call('EXPIRE', history, ttl)
  redis.call('PUBLISH', prefix .. task_id, task_id)
  local notify = redis.call('HGET', key, 'notify')
  if notify then
    local note = task_id .. ' ' .. target
    if target == 'SUCCESS' or target == 'FAILURE' or target == 'REVOKED' then
      note = note .. ' ' .. cjson.encode({redis.call('HGETALL', key),
        redis.call('LRANGE', key .. ':children', 0, -1)})
    end
    redis.call('PUBLISH', notify, note)
  end
  if parent ~= '' then redis.call('PUBLISH', prefix .. parent, parent) end
  return {1, current, parent, kind, step}
end
"""
)

# Transitions in one call (one task, or a batch's reports). KEYS: the tasks. ARGV[1] now,
# ARGV[2] ttl, ARGV[3] channel prefix, ARGV[4] a JSON list, one [target, allowed, task id,
# count, fields] per key. Returns one {applied, previous, parent} per key.
_TRANSITION_MANY = (
    TRANSITION_LUA
    + """
local moves = cjson.decode(ARGV[4])
local out = {}
for i, m in ipairs(moves) do
  out[i] = transition(KEYS[i], m[1], m[2], ARGV[1], ARGV[2], ARGV[3], m[3], m[4], m[5])
end
return out
"""
)

# Progress without a state change, only while the task is not final.
_PROGRESS = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state or state == 'SUCCESS' or state == 'FAILURE' or state == 'REVOKED' then return 0 end
redis.call('HSET', KEYS[1], 'progress', ARGV[1], 'updated_at', ARGV[2])
redis.call('PUBLISH', ARGV[3] .. ARGV[4], ARGV[4])
return 1
"""

# Forget a task whose command never reached the broker, unless a worker already has it.
_DISCARD = """
if redis.call('HGET', KEYS[1], 'state') ~= 'PENDING' then return 0 end
redis.call('DEL', KEYS[1], KEYS[1] .. ':history')
return 1
"""

CHILD_FIELDS = ("task_id", "kind", "state", "progress", "error")
SEARCH_CHUNK = 200  # ids read from an account's index at a time
SEARCH_SCAN = 2000  # ids one search looks at, at most
Position = tuple[int, str] | None  # (score, task id) in an account's index: where a page ends
SUMMARY_FIELDS = (
    "task_id", "kind", "state", "account", "owner", "error", "attempts", "progress",
    "next_attempt_at", "created_at", "updated_at", "parent_id", "trace_id",
)  # fmt: skip


@dataclass(frozen=True)
class NewTask:
    """A PENDING task ready to be written, by `StatusStore.create` or inside another script
    (which counts its PENDING transition once written: `written`)."""

    task_id: str
    key: str
    args: list[str | int]  # ARGV of CREATE_TASK_LUA: ttl, channel prefix, task id, fields
    kind: str
    parent_id: str | None = None

    def written(self) -> None:
        metrics.count_transition(self.kind, TaskState.PENDING)


@dataclass(frozen=True)
class Move:
    """One requested transition of a task, with the fields it sets."""

    task_id: str
    target: TaskState
    result: Any = None
    error: TaskError | None = None
    progress: float | None = None
    next_attempt_at: datetime | None = None
    count_attempt: bool = False

    def allowed(self) -> str:
        return ",".join(sorted(s.value for s in ALLOWED_FROM[self.target]))

    def fields(self) -> list[str]:
        """Field/value pairs to set; an empty value deletes the field."""
        fields: list[str] = []
        if self.result is not None:
            fields += ["result", orjson.dumps(self.result, default=str).decode()]
        if self.error is not None:
            fields += ["error", self.error.model_dump_json()]
        elif self.target is TaskState.SUCCESS:
            fields += ["error", ""]  # a RETRY's transient error no longer applies
        if self.progress is not None:
            fields += ["progress", repr(self.progress)]
        if self.next_attempt_at is not None:
            fields += ["next_attempt_at", self.next_attempt_at.isoformat()]
        elif self.target is not TaskState.RETRY:
            fields += ["next_attempt_at", ""]
        return fields


@dataclass(frozen=True)
class Transition:
    applied: bool
    previous: TaskState | None
    parent_id: str | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def task_key(task_id: str) -> str:
    return f"{REDIS_TASK_PREFIX}{task_id}"


def changes_channel(task_id: str) -> str:
    """The pub/sub channel on which the task's changes are announced."""
    return f"{REDIS_TASK_CHANGES_PREFIX}{task_id}"


def children_key(task_id: str) -> str:
    return f"{REDIS_TASK_PREFIX}{task_id}:children"


def history_key(task_id: str) -> str:
    return f"{REDIS_TASK_PREFIX}{task_id}:history"


def account_tasks_key(account: str) -> str:
    """The sorted set of an account's task ids, scored by creation time (`microseconds`)."""
    return f"{REDIS_ACCOUNT_TASKS_PREFIX}{account}"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def microseconds(moment: datetime) -> int:
    """A time as whole microseconds since the epoch: exact, and exact as a Redis score."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def settled_state(children: list[ChildTask]) -> TaskState | None:
    """What a parent becomes once its children end: any failure fails it; None while any run."""
    states = {c.state for c in children}
    if TaskState.FAILURE in states:
        return TaskState.FAILURE
    if not states <= FINAL_STATES:
        return None
    return TaskState.REVOKED if TaskState.REVOKED in states else TaskState.SUCCESS


def _scored(members: Any) -> list[tuple[str, int]]:
    """`(member, score)` pairs of a `WITHSCORES` reply, as (task id, microseconds)."""
    return [(_text(member), int(score)) for member, score in members]


def _record(raw: Mapping[Any, bytes | str], children: list[ChildTask]) -> TaskRecord:
    """The task of a `HGETALL` of its hash."""
    data = {_text(k): _text(v) for k, v in raw.items()}
    return TaskRecord(
        task_id=data["task_id"],
        kind=data["kind"],
        state=TaskState(data["state"]),
        account=data["account"],
        owner=data["owner"],
        result=orjson.loads(data["result"]) if "result" in data else None,
        error=TaskError.model_validate_json(data["error"]) if "error" in data else None,
        attempts=int(data.get("attempts", "0")),
        progress=float(data["progress"]) if "progress" in data else None,
        next_attempt_at=datetime.fromisoformat(data["next_attempt_at"])
        if data.get("next_attempt_at")
        else None,
        created_at=datetime.fromisoformat(data["created_at"]),
        updated_at=datetime.fromisoformat(data["updated_at"]),
        parent_id=data.get("parent_id") or None,
        children=children,
        trace_id=data.get("trace_id") or None,
    )


class StatusStore:
    """Reads and moves tasks; the only code that writes `apex:task:<id>`."""

    def __init__(self, redis: Redis, ttl_s: int) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self._create = redis.register_script(_CREATE)
        self._transition_many = redis.register_script(_TRANSITION_MANY)
        self._progress = redis.register_script(_PROGRESS)
        self._discard = redis.register_script(_DISCARD)

    def new_task(
        self,
        task_id: str,
        kind: str,
        account: str,
        owner: str,
        parent_id: str | None = None,
        notify: str | None = None,
    ) -> NewTask:
        """The task's record; with `notify`, a channel its transitions are announced on too.

        A task with no parent records the trace of the active span (the request that made it);
        a child takes its parent's when it is written (`_CREATE`)."""
        moment = datetime.now(UTC)
        now = moment.isoformat()
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
        }
        if notify:
            fields["notify"] = notify
        if parent_id is None and (trace_id := current_trace_id()):
            fields["trace_id"] = trace_id
        flat = [x for pair in fields.items() for x in pair]
        first = orjson.dumps({"state": "PENDING", "at": now, "attempt": 0, "error": None})
        args: list[str | int] = [
            self.ttl_s,
            REDIS_TASK_CHANGES_PREFIX,
            task_id,
            account_tasks_key(account),
            microseconds(moment),
            first.decode(),
            *flat,
        ]
        return NewTask(task_id, task_key(task_id), args, kind, parent_id)

    async def create(
        self, task_id: str, kind: str, account: str, owner: str, parent_id: str | None = None
    ) -> bool:
        """Record a new PENDING task (as a child of `parent_id`); False if the id exists."""
        return await self.write(self.new_task(task_id, kind, account, owner, parent_id))

    async def write(self, task: NewTask) -> bool:
        """Record `task` (and list it under its parent); False if the id exists."""
        family = [children_key(task.parent_id), task_key(task.parent_id)] if task.parent_id else []
        keys = [task.key, *family]
        created = bool(await self._create(keys=keys, args=task.args))
        if created:
            task.written()
        return created

    async def move(
        self,
        task_id: str,
        target: TaskState,
        *,
        result: Any = None,
        error: TaskError | None = None,
        progress: float | None = None,
        next_attempt_at: datetime | None = None,
        count_attempt: bool = False,
    ) -> Transition:
        """Move a task to `target` if the state machine allows it, atomically.

        When a child ends, its parent is settled from all its children.
        """
        move = Move(task_id, target, result, error, progress, next_attempt_at, count_attempt)
        return (await self.move_many([move]))[0]

    async def move_many(self, moves: list[Move]) -> list[Transition]:
        """Every move of `moves` in one script call (each atomic, in order); parents settle."""
        if not moves:
            return []
        plan = [
            [m.target.value, m.allowed(), m.task_id, "1" if m.count_attempt else "0", m.fields()]
            for m in moves
        ]
        replies = await self._transition_many(
            keys=[task_key(m.task_id) for m in moves],
            args=[_now(), self.ttl_s, REDIS_TASK_CHANGES_PREFIX, orjson.dumps(plan)],
        )
        return await self._settle_parents(moves, replies)

    async def _settle_parents(self, moves: list[Move], replies: list[Any]) -> list[Transition]:
        moved = []
        for move, (applied, previous, parent, kind, step) in zip(moves, replies, strict=True):
            prev, parent_id = _text(previous), _text(parent) or None
            moved.append(Transition(bool(applied), TaskState(prev) if prev else None, parent_id))
            if step:  # counted here, once, whoever moved it
                metrics.count_transition(_text(kind), move.target)
            if applied and move.target in FINAL_STATES and parent_id:
                await self.settle(parent_id)
        return moved

    async def start(self, task_id: str) -> Transition:
        return await self.move(task_id, TaskState.STARTED, count_attempt=True)

    async def succeed(self, task_id: str, result: Any) -> Transition:
        return await self.move(task_id, TaskState.SUCCESS, result=result, progress=100.0)

    async def keep_running(self, task_id: str, result: Any) -> None:
        """Record a parent's own result; it ends when its children do."""
        await self.move(task_id, TaskState.STARTED, result=result)
        await self.settle(task_id)

    async def fail(self, task_id: str, code: ErrorCode, message: str) -> Transition:
        return await self.move(
            task_id, TaskState.FAILURE, error=TaskError(code=code, message=message)
        )

    async def discard(self, task_id: str) -> bool:
        """Drop a task whose command was not accepted (the client got a 503, not its id).

        A FAILURE record would outlive the refusal: a retry with the same Idempotency-Key
        derives the same task id and would find it final before its command even ran.
        """
        return bool(await self._discard(keys=[task_key(task_id)]))

    async def retry(
        self, task_id: str, message: str, next_attempt_at: datetime | None = None
    ) -> Transition:
        error = TaskError(code=ErrorCode.UNAVAILABLE, message=message)
        return await self.move(
            task_id, TaskState.RETRY, error=error, next_attempt_at=next_attempt_at
        )

    async def revoke(self, task_id: str) -> Transition:
        """Cancel a task that has not ended, and its unfinished children with it."""
        moved = await self.move(task_id, TaskState.REVOKED)
        if moved.applied:
            for child in await self._child_ids(task_id):
                await self.move(child, TaskState.REVOKED)
        return moved

    async def progress(self, task_id: str, percent: float) -> bool:
        """Report progress (0 to 100) of a running task."""
        args = [repr(float(percent)), _now(), REDIS_TASK_CHANGES_PREFIX, task_id]
        return bool(await self._progress(keys=[task_key(task_id)], args=args))

    async def settle(self, parent_id: str) -> None:
        """Move a parent to its children's outcome once they have all ended (or one failed)."""
        children = await self._children(parent_id)
        if not children:
            return
        done = sum(1 for c in children if c.state in FINAL_STATES)
        outcome = settled_state(children)
        if outcome is None:
            await self.progress(parent_id, round(100.0 * done / len(children), 1))
        elif outcome is TaskState.FAILURE:
            failed = next(c for c in children if c.state is TaskState.FAILURE)
            why = failed.error.message if failed.error else "no reason given"
            code = failed.error.code if failed.error else ErrorCode.INTERNAL
            await self.fail(parent_id, code, f"{failed.kind} ({failed.task_id}) failed: {why}")
        elif outcome is TaskState.SUCCESS:
            await self.move(parent_id, TaskState.SUCCESS, progress=100.0)
        else:
            await self.move(parent_id, TaskState.REVOKED)

    async def history(self, task_id: str) -> list[HistoryEntry]:
        """The task's entries, oldest first (at most `HISTORY_MAX`)."""
        raw = await self.redis.lrange(history_key(task_id), 0, -1)
        return [HistoryEntry.model_validate_json(entry) for entry in raw]

    async def search(
        self, account: str, query: TaskSearch, after: tuple[datetime, str] | None = None
    ) -> tuple[list[TaskRecord], tuple[datetime, str] | None]:
        """The account's tasks that match `query`, newest first, at most `query.limit` of them
        after the position `after` (a creation time and task id), and the position the next
        page starts after (None when no task is left). One call looks at `SEARCH_SCAN` ids at
        most: a rare match among many tasks may take short pages, each with a position."""
        index = account_tasks_key(account)
        position = (microseconds(after[0]), after[1]) if after else None
        floor = microseconds(query.since) if query.since else "-inf"
        examined, found = 0, list[TaskRecord]()
        while examined < SEARCH_SCAN:
            ids = await self._ids_after(index, position, floor, SEARCH_CHUNK)
            if not ids:
                return found, None
            rows = await self._summaries([task_id for task_id, _ in ids])
            expired = [task_id for (task_id, _), row in zip(ids, rows, strict=True) if not row]
            if expired:  # their index entries go too
                await self.redis.zrem(index, *expired)
            for (task_id, score), row in zip(ids, rows, strict=True):
                if row is not None and query.matches(row):
                    if len(found) == query.limit:  # one more exists: the page ends before it
                        return found, (found[-1].created_at, found[-1].task_id)
                    found.append(row)
                examined += 1
                position = (score, task_id)
        assert position is not None
        return found, (_EPOCH + timedelta(microseconds=position[0]), position[1])

    async def _ids_after(
        self, index: str, position: Position, floor: int | str, count: int
    ) -> list[tuple[str, int]]:
        """Up to `count` (task id, score) of `index` after `position`, newest first; ids of one
        score come in reverse order, as `ZREVRANGEBYSCORE` gives them."""
        if position is None:
            newest = await self.redis.zrevrangebyscore(
                index, "+inf", floor, start=0, num=count, withscores=True
            )
            return _scored(newest)
        score, last = position
        same: list[Any] = await self.redis.zrevrangebyscore(index, score, score)
        ties = [(m, score) for m in map(_text, same) if m < last]
        older = await self.redis.zrevrangebyscore(
            index, f"({score}", floor, start=0, num=count, withscores=True
        )
        return ties + _scored(older)

    async def _summaries(self, ids: list[str]) -> list[TaskRecord | None]:
        """The tasks `ids` without result or children (None for one that expired)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for task_id in ids:
                pipe.hmget(task_key(task_id), *SUMMARY_FIELDS)
            rows = await pipe.execute()
        return [
            _record({f: v for f, v in zip(SUMMARY_FIELDS, row, strict=True) if v}, children=[])
            if row[0]
            else None
            for row in rows
        ]

    async def get(self, task_id: str) -> TaskRecord | None:
        return await self.record_of(*await self.raw(task_id))

    async def raw(self, task_id: str) -> tuple[dict[bytes, bytes], list[bytes]]:
        """The task's hash (empty if there is none) and its child ids, as Redis holds them."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(task_key(task_id))
            pipe.lrange(children_key(task_id), 0, -1)
            fields, child_ids = await pipe.execute()
        return fields, child_ids

    async def record_of(
        self, raw: dict[bytes, bytes] | dict[str, str], child_ids: list[bytes] | list[str]
    ) -> TaskRecord | None:
        """The task of a `HGETALL` of its hash and its child ids (children read here)."""
        if not raw:
            return None
        return _record(raw, await self._children_of([_text(c) for c in child_ids]))

    async def _child_ids(self, task_id: str) -> list[str]:
        return [_text(c) for c in await self.redis.lrange(children_key(task_id), 0, -1)]

    async def _children(self, task_id: str) -> list[ChildTask]:
        return await self._children_of(await self._child_ids(task_id))

    async def _children_of(self, ids: list[str]) -> list[ChildTask]:
        if not ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for child in ids:
                pipe.hmget(task_key(child), *CHILD_FIELDS)
            rows = await pipe.execute()
        children = []
        for row in rows:
            task_id_, kind, state, progress, error = (_text(v) if v else None for v in row)
            if task_id_ is None or kind is None or state is None:
                continue  # expired
            children.append(
                ChildTask(
                    task_id=task_id_,
                    kind=kind,
                    state=TaskState(state),
                    progress=float(progress) if progress else None,
                    error=TaskError.model_validate_json(error) if error else None,
                )
            )
        return children
