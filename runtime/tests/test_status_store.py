"""The task state machine in real Redis: legal moves apply, illegal ones never do."""

import asyncio
import itertools
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from redis.asyncio import Redis

from apex_contracts.tasks import ALLOWED_FROM, FINAL_STATES, ErrorCode, TaskState, can_move
from apex_runtime.settings import Settings
from apex_runtime.status_store import StatusStore


@pytest.fixture
async def store() -> AsyncIterator[StatusStore]:
    redis = Redis.from_url(Settings().redis_url)
    yield StatusStore(redis, ttl_s=600)
    await redis.aclose()


async def put_in_state(store: StatusStore, state: TaskState) -> str:
    """A new task moved along a legal path into `state`."""
    task_id = str(uuid4())
    await store.create(task_id, "project.create", "acct", "user")
    path = {
        TaskState.PENDING: [],
        TaskState.STARTED: [TaskState.STARTED],
        TaskState.RETRY: [TaskState.STARTED, TaskState.RETRY],
        TaskState.SUCCESS: [TaskState.STARTED, TaskState.SUCCESS],
        TaskState.FAILURE: [TaskState.STARTED, TaskState.FAILURE],
        TaskState.REVOKED: [TaskState.REVOKED],
    }[state]
    for step in path:
        assert (await store.move(task_id, step)).applied
    return task_id


@pytest.mark.parametrize(
    ("current", "target"),
    [(a, b) for a, b in itertools.product(TaskState, TaskState) if b is not TaskState.PENDING],
)
async def test_every_transition_applies_exactly_when_allowed(
    store: StatusStore, current: TaskState, target: TaskState
) -> None:
    task_id = await put_in_state(store, current)
    moved = await store.move(task_id, target)
    assert moved.applied is can_move(current, target)
    assert moved.previous is current
    task = await store.get(task_id)
    assert task is not None
    assert task.state is (target if moved.applied else current)


def test_final_states_have_no_way_out() -> None:
    for final in FINAL_STATES:
        assert not any(final in sources for sources in ALLOWED_FROM.values())


async def test_create_refuses_an_existing_id(store: StatusStore) -> None:
    task_id = str(uuid4())
    assert await store.create(task_id, "k", "a", "u")
    assert not await store.create(task_id, "other", "b", "v")
    task = await store.get(task_id)
    assert task is not None and task.kind == "k" and task.account == "a"


async def test_unknown_task_does_not_move(store: StatusStore) -> None:
    moved = await store.move(str(uuid4()), TaskState.STARTED)
    assert not moved.applied and moved.previous is None


async def test_result_error_attempts_and_timestamps_are_recorded(store: StatusStore) -> None:
    task_id = str(uuid4())
    await store.create(task_id, "project.create", "acct", "user", parent_id="parent-1")
    await store.start(task_id)
    await store.retry(task_id, "database went away")
    retrying = await store.get(task_id)
    assert retrying is not None and retrying.error is not None
    assert retrying.error.code is ErrorCode.UNAVAILABLE
    await store.start(task_id)
    await store.succeed(task_id, {"project_id": "p1"})
    task = await store.get(task_id)
    assert task is not None
    assert task.state is TaskState.SUCCESS
    assert task.attempts == 2
    assert task.result == {"project_id": "p1"}
    assert task.error is None  # the retry's error no longer applies
    assert task.parent_id == "parent-1"
    assert task.updated_at >= task.created_at


async def test_50_concurrent_writers_leave_exactly_one_final_state(store: StatusStore) -> None:
    task_id = str(uuid4())
    await store.create(task_id, "project.create", "acct", "user")
    targets = [TaskState.STARTED, TaskState.SUCCESS, TaskState.REVOKED, TaskState.FAILURE]
    # Separate connections, so the writes really interleave at the server.
    clients = [Redis.from_url(Settings().redis_url) for _ in range(50)]
    stores = [StatusStore(c, ttl_s=600) for c in clients]
    try:
        results = await asyncio.gather(
            *(s.move(task_id, targets[i % len(targets)]) for i, s in enumerate(stores))
        )
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    applied_finals = [
        targets[i % len(targets)]
        for i, r in enumerate(results)
        if r.applied and targets[i % len(targets)] in FINAL_STATES
    ]
    assert len(applied_finals) == 1
    task = await store.get(task_id)
    assert task is not None and task.state is applied_finals[0]
    # and a late STARTED never overwrites it
    assert not (await store.start(task_id)).applied
    final = await store.get(task_id)
    assert final is not None and final.state is applied_finals[0]


async def test_final_transition_is_announced(store: StatusStore) -> None:
    task_id = str(uuid4())
    await store.create(task_id, "k", "a", "u")
    async with store.redis.pubsub() as pubsub:
        await pubsub.subscribe("apex:task-final")
        await pubsub.get_message(timeout=1)  # subscription confirmation
        await store.start(task_id)
        await store.succeed(task_id, {"ok": True})
        message = None
        for _ in range(50):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
            if message:
                break
    assert message is not None and message["data"].decode() == task_id
