"""TaskWaiter in real Redis: a task this gateway admitted wakes its waiters on the gateway's
own channel, without a subscription of theirs; any other on its own channel, subscribed only
while waiting."""

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from redis.asyncio import Redis

from apex_contracts.tasks import ErrorCode, TaskState
from apex_gateway import waiter as waiter_module
from apex_gateway.admission import Admission
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
    await asyncio.wait_for(waiter._connected.wait(), 5)  # listening on the gateway channel
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


async def admitted_task(store: StatusStore, waiter: TaskWaiter) -> str:
    """A task recorded as the gateway admits a command: in the admission script, naming the
    waiter's channel."""
    task_id = str(uuid4())
    record = store.new_task(task_id, "project.create", "acct", "user", notify=waiter.channel)
    admission = Admission(store.redis, per_min=60_000, burst=10, idempotency_ttl_s=60)
    assert (await admission.admit(f"t:{uuid4()}", task=record)).allowed
    return task_id


async def kill_pubsub_of(store: StatusStore, waiter: TaskWaiter) -> None:
    """Drop this waiter's pub/sub connection (only it: other test runs share the server)."""
    connection = waiter._pubsub.connection if waiter._pubsub else None
    assert connection is not None and connection._writer is not None
    host, port = connection._writer.get_extra_info("sockname")[:2]
    assert await store.redis.client_kill_filter(addr=f"{host}:{port}") == 1


class Counted:
    """Counts what the waiter does: per-task (un)subscription orders and task reads."""

    def __init__(self, waiter: TaskWaiter, monkeypatch: pytest.MonkeyPatch) -> None:
        self.orders: list[tuple[int, str, str]] = []
        self.reads = 0
        put, raw = waiter._orders.put_nowait, waiter.status.raw

        def order(item: tuple[int, str, str]) -> None:
            self.orders.append(item)
            put(item)

        async def read(task_id: str) -> tuple[dict[bytes, bytes], list[bytes]]:
            self.reads += 1
            return await raw(task_id)

        monkeypatch.setattr(waiter._orders, "put_nowait", order)
        monkeypatch.setattr(waiter.status, "raw", read)


async def until_reads(counted: Counted, expected: int) -> None:
    for _ in range(200):
        if counted.reads >= expected:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"not {expected} reads within 2 s")


async def gateway_subscribers(store: StatusStore, waiter: TaskWaiter) -> int:
    [(_, count)] = await store.redis.pubsub_numsub(waiter.channel)
    return int(count)


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
    await kill_pubsub_of(store, waiter)
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


@pytest.mark.usefixtures("notified_only")
async def test_a_task_admitted_here_wakes_its_waiter_without_a_subscription(
    store: StatusStore, waiter: TaskWaiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = await admitted_task(store, waiter)
    assert (await store.redis.hget(task_key(task_id), "notify")) == waiter.channel.encode()
    counted = Counted(waiter, monkeypatch)
    waiting = asyncio.create_task(waiter.wait(task_id, 30))
    await until_reads(counted, 1)
    await store.start(task_id)  # not final: announced, but no read for a wait of the outcome
    await asyncio.sleep(0.05)
    assert not waiting.done() and counted.reads == 1
    await store.succeed(task_id, {"ok": True})
    task = await asyncio.wait_for(waiting, 10)
    assert task is not None and task.state is TaskState.SUCCESS and task.result == {"ok": True}
    assert counted.orders == [] and counted.reads == 1  # the answer came with its announcement
    assert await subscribers(store, task_id) == 0
    assert await gateway_subscribers(store, waiter) == 1  # the one subscription, kept


@pytest.mark.usefixtures("notified_only")
async def test_a_wait_on_a_task_just_admitted_here_reads_nothing(
    store: StatusStore, waiter: TaskWaiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = Counted(waiter, monkeypatch)
    for finished_first in (False, True):  # announced after the wait began, and before it
        task_id = await admitted_task(store, waiter)
        if finished_first:
            await store.succeed(task_id, {"n": 2})
            await asyncio.sleep(0.05)  # the announcement arrives before anyone waits
        waiting = asyncio.create_task(waiter.wait(task_id, 30, admitted_here=True))
        await asyncio.sleep(0.05)
        if not finished_first:
            await store.succeed(task_id, {"n": 1})
        task = await asyncio.wait_for(waiting, 10)
        assert task is not None and task.state is TaskState.SUCCESS
        assert task.result == {"n": 2 if finished_first else 1}
    assert counted.reads == 0 and counted.orders == []


@pytest.mark.usefixtures("notified_only")
async def test_a_wait_on_a_task_admitted_here_whose_announcement_was_lost_reads_it_again(
    store: StatusStore, waiter: TaskWaiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(waiter_module, "RECHECK_S", 0.05)
    task_id = await admitted_task(store, waiter)
    waiting = asyncio.create_task(waiter.wait(task_id, 30, admitted_here=True))
    await store.redis.hset(task_key(task_id), "state", "REVOKED")  # as if the PUBLISH was lost
    task = await asyncio.wait_for(waiting, 10)
    assert task is not None and task.state is TaskState.REVOKED


@pytest.mark.usefixtures("notified_only")
async def test_a_long_poll_of_a_task_admitted_here_is_woken_by_any_transition(
    store: StatusStore, waiter: TaskWaiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = await admitted_task(store, waiter)
    seen = await store.get(task_id)
    counted = Counted(waiter, monkeypatch)
    changed = asyncio.create_task(waiter.next_change(task_id, 30, seen))
    await until_reads(counted, 1)
    await store.start(task_id)
    task = await asyncio.wait_for(changed, 10)
    assert task is not None and task.state is TaskState.STARTED
    assert counted.orders == [] and counted.reads == 2
    assert await subscribers(store, task_id) == 0


@pytest.mark.usefixtures("notified_only")
async def test_a_parent_admitted_here_is_followed_on_its_own_channel_for_every_change(
    store: StatusStore, waiter: TaskWaiter
) -> None:
    """Its children's changes are announced on its own channel only; its outcome is pushed."""
    parent = await admitted_task(store, waiter)
    child = await new_task(store, parent_id=parent)
    seen = await store.get(parent)
    outcome = asyncio.create_task(waiter.wait(parent, 30))
    changed = asyncio.create_task(waiter.next_change(parent, 30, seen))
    await until_subscribers(store, parent, 1, "the long poll subscribed to the parent")
    await store.start(child)
    task = await asyncio.wait_for(changed, 10)
    assert task is not None and task.children[0].state is TaskState.STARTED
    await until_subscribers(store, parent, 0, "the long poll's subscription released")
    await store.succeed(child, None)  # settles the parent: a transition of its own
    task = await asyncio.wait_for(outcome, 10)
    assert task is not None and task.state is TaskState.SUCCESS


@pytest.mark.usefixtures("notified_only")
async def test_a_task_another_gateway_admitted_is_waited_on_its_own_channel(
    store: StatusStore, waiter: TaskWaiter
) -> None:
    task_id = str(uuid4())
    await store.write(store.new_task(task_id, "project.create", "acct", "user", notify="x:y"))
    waiting = asyncio.create_task(waiter.wait(task_id, 30))
    await until_subscribers(store, task_id, 1, "subscribed to the task's channel")
    await store.revoke(task_id)
    task = await asyncio.wait_for(waiting, 10)
    assert task is not None and task.state is TaskState.REVOKED
    await until_subscribers(store, task_id, 0, "unsubscribed after the wait")


async def test_a_lost_push_is_found_by_the_recheck(
    store: StatusStore, waiter: TaskWaiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(waiter_module, "RECHECK_S", 0.05)
    task_id = await admitted_task(store, waiter)
    counted = Counted(waiter, monkeypatch)
    waiting = asyncio.create_task(waiter.wait(task_id, 30))
    await until_reads(counted, 1)
    await store.redis.hset(task_key(task_id), "state", "FAILURE")  # as if the PUBLISH was lost
    task = await asyncio.wait_for(waiting, 10)
    assert task is not None and task.state is TaskState.FAILURE
    assert counted.orders == []


@pytest.mark.usefixtures("notified_only")
async def test_waiters_read_again_once_the_gateway_channel_is_back(
    store: StatusStore, waiter: TaskWaiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = await admitted_task(store, waiter)
    counted = Counted(waiter, monkeypatch)
    waiting = asyncio.create_task(waiter.wait(task_id, 30))
    await until_reads(counted, 1)
    await store.redis.hset(task_key(task_id), "state", "REVOKED")  # nothing announced
    await kill_pubsub_of(store, waiter)
    task = await asyncio.wait_for(waiting, 10)  # the reconnection, not the 60 s re-check
    assert task is not None and task.state is TaskState.REVOKED
    # and pushes arrive again
    second = await admitted_task(store, waiter)
    waiting = asyncio.create_task(waiter.wait(second, 30))
    await until_reads(counted, 3)
    await store.revoke(second)
    task = await asyncio.wait_for(waiting, 10)
    assert task is not None and task.state is TaskState.REVOKED
