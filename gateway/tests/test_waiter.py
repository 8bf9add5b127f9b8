"""TaskWaiter in real Redis: woken on its tasks' own channels, subscribed only while waiting."""

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from redis.asyncio import Redis

from apex_contracts.tasks import ErrorCode, TaskState
from apex_gateway import waiter as waiter_module
from apex_gateway.waiter import TaskWaiter
from apex_runtime.settings import Settings
from apex_runtime.status_store import StatusStore, changes_channel, task_key


@pytest.fixture
async def store() -> AsyncIterator[StatusStore]:
    redis = Redis.from_url(Settings().redis_url)
    yield StatusStore(redis, ttl_s=600)
    await redis.aclose()


@pytest.fixture
async def waiter(store: StatusStore) -> AsyncIterator[TaskWaiter]:
    waiter = TaskWaiter(store.redis, store)
    await waiter.start()
    yield waiter
    await waiter.stop()


@pytest.fixture
def notified_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No periodic re-read within a test: a waiter that wakes was notified."""
    monkeypatch.setattr(waiter_module, "RECHECK_S", 60.0)


async def subscribers(store: StatusStore, task_id: str) -> int:
    [(_, count)] = await store.redis.pubsub_numsub(changes_channel(task_id))
    return int(count)


async def until_subscribers(store: StatusStore, task_id: str, expected: int, what: str) -> None:
    for _ in range(200):
        if await subscribers(store, task_id) == expected:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"not within 2 s: {what}")


async def new_task(store: StatusStore, parent_id: str | None = None) -> str:
    task_id = str(uuid4())
    await store.create(task_id, "project.create", "acct", "user", parent_id=parent_id)
    return task_id


@pytest.mark.usefixtures("notified_only")
async def test_a_waiter_is_woken_by_its_tasks_channel(
    store: StatusStore, waiter: TaskWaiter
) -> None:
    task_id = await new_task(store)
    waiting = asyncio.create_task(waiter.wait(task_id, 30))
    await until_subscribers(store, task_id, 1, "the waiter subscribed")
    await store.start(task_id)
    await store.succeed(task_id, {"ok": True})
    task = await asyncio.wait_for(waiting, 10)
    assert task is not None and task.state is TaskState.SUCCESS
    assert task.result == {"ok": True}
    await until_subscribers(store, task_id, 0, "unsubscribed after the wait")


@pytest.mark.usefixtures("notified_only")
async def test_many_waiters_on_one_task_share_one_subscription(
    store: StatusStore, waiter: TaskWaiter
) -> None:
    task_id = await new_task(store)
    waiting = [asyncio.create_task(waiter.wait(task_id, 30)) for _ in range(20)]
    await until_subscribers(store, task_id, 1, "subscribed")
    await asyncio.sleep(0.05)
    assert await subscribers(store, task_id) == 1
    await store.fail(task_id, ErrorCode.INVALID, "no")
    tasks = await asyncio.wait_for(asyncio.gather(*waiting), 10)
    assert {t.state for t in tasks if t is not None} == {TaskState.FAILURE}
    assert len(tasks) == 20


@pytest.mark.usefixtures("notified_only")
async def test_a_parent_waiter_sees_its_childs_transition(
    store: StatusStore, waiter: TaskWaiter
) -> None:
    parent = await new_task(store)
    child = await new_task(store, parent_id=parent)
    seen = await store.get(parent)
    assert seen is not None
    changed = asyncio.create_task(waiter.next_change(parent, 30, seen))
    await until_subscribers(store, parent, 1, "subscribed to the parent")
    await store.start(child)
    task = await asyncio.wait_for(changed, 10)
    assert task is not None and task.children[0].state is TaskState.STARTED


async def test_a_change_without_notification_is_found_by_the_recheck(
    store: StatusStore, waiter: TaskWaiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(waiter_module, "RECHECK_S", 0.05)
    task_id = await new_task(store)
    waiting = asyncio.create_task(waiter.wait(task_id, 30))
    await until_subscribers(store, task_id, 1, "subscribed")
    await store.redis.hset(task_key(task_id), "state", "REVOKED")  # as if the PUBLISH was lost
    task = await asyncio.wait_for(waiting, 10)
    assert task is not None and task.state is TaskState.REVOKED


async def test_waiters_survive_a_lost_pubsub_connection(
    store: StatusStore, waiter: TaskWaiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(waiter_module, "RECHECK_S", 60.0)
    first = await new_task(store)
    waiting = asyncio.create_task(waiter.wait(first, 30))
    await until_subscribers(store, first, 1, "subscribed")
    await store.redis.client_kill_filter(_type="pubsub")
    await until_subscribers(store, first, 1, "subscribed again after the kill")
    await store.revoke(first)
    task = await asyncio.wait_for(waiting, 10)
    assert task is not None and task.state is TaskState.REVOKED
    # and a wait that starts afterwards is notified as before
    second = await new_task(store)
    waiting = asyncio.create_task(waiter.wait(second, 30))
    await until_subscribers(store, second, 1, "the new wait subscribed")
    await store.revoke(second)
    task = await asyncio.wait_for(waiting, 10)
    assert task is not None and task.state is TaskState.REVOKED


async def test_a_final_task_is_answered_without_subscribing(
    store: StatusStore, waiter: TaskWaiter
) -> None:
    task_id = await new_task(store)
    await store.revoke(task_id)
    seen = await store.get(task_id)
    assert seen is not None
    await store.redis.delete(task_key(task_id))  # a read now would find nothing
    assert await waiter.next_change(task_id, 30, seen) == seen
    assert await subscribers(store, task_id) == 0
