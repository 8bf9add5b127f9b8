"""The task state machine in real Redis: legal moves apply, illegal ones never do."""

import asyncio
import itertools
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from apex_contracts.tasks import (
    ALLOWED_FROM,
    FINAL_STATES,
    ErrorCode,
    TaskSearch,
    TaskState,
    can_move,
)
from apex_runtime.settings import Settings
from apex_runtime.status_store import StatusStore, account_tasks_key, changes_channel


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


async def _announcements(pubsub: PubSub, task_id: str, count: int) -> list[str]:
    """The channels on which `task_id` was announced, until `count` arrived (or 5 s passed)."""
    seen: list[str] = []
    for _ in range(100):
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.05)
        if message and message["data"].decode() == task_id:
            seen.append(message["channel"].decode())
        if len(seen) == count:
            break
    return seen


async def test_every_change_is_announced_on_the_tasks_own_channel(store: StatusStore) -> None:
    task_id, other = str(uuid4()), str(uuid4())
    async with store.redis.pubsub() as pubsub:
        await pubsub.subscribe(changes_channel(task_id))
        await pubsub.get_message(timeout=1)  # subscription confirmation
        await store.create(other, "k", "a", "u")  # another task's changes stay off this channel
        await store.start(other)
        await store.create(task_id, "k", "a", "u")
        await store.start(task_id)
        await store.progress(task_id, 40.0)
        await store.succeed(task_id, {"ok": True})
        seen = await _announcements(pubsub, task_id, 4)
        assert await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1) is None
    assert seen == [changes_channel(task_id)] * 4


async def test_a_childs_transitions_are_announced_to_its_parent(store: StatusStore) -> None:
    parent, child = str(uuid4()), str(uuid4())
    await store.create(parent, "project.submit", "a", "u")
    await store.create(child, "document.render", "a", "u", parent_id=parent)
    async with store.redis.pubsub() as pubsub:
        await pubsub.subscribe(changes_channel(parent))
        await pubsub.get_message(timeout=1)
        await store.start(child)
        assert await _announcements(pubsub, parent, 1) == [changes_channel(parent)]


async def family(
    store: StatusStore, kinds: tuple[str, ...] = ("render", "email")
) -> tuple[str, list[str]]:
    parent = str(uuid4())
    await store.create(parent, "project.submit", "acct", "user")
    await store.start(parent)
    children = []
    for kind in kinds:
        child = str(uuid4())
        assert await store.create(child, kind, "acct", "user", parent_id=parent)
        children.append(child)
    return parent, children


async def test_parent_lists_children_with_states(store: StatusStore) -> None:
    parent, (render, email) = await family(store)
    await store.start(render)
    await store.progress(render, 50.0)
    task = await store.get(parent)
    assert task is not None
    assert [(c.task_id, c.kind, c.state, c.progress) for c in task.children] == [
        (render, "render", TaskState.STARTED, 50.0),
        (email, "email", TaskState.PENDING, None),
    ]


async def test_parent_succeeds_when_every_child_does(store: StatusStore) -> None:
    parent, (render, email) = await family(store)
    await store.start(render)
    await store.succeed(render, {"pages": 3})
    midway = await store.get(parent)
    assert midway is not None and midway.state is TaskState.STARTED and midway.progress == 50.0
    await store.start(email)
    await store.succeed(email, {"sent": True})
    done = await store.get(parent)
    assert done is not None and done.state is TaskState.SUCCESS and done.progress == 100.0


async def test_parent_fails_when_a_child_fails_and_says_which(store: StatusStore) -> None:
    parent, (render, _email) = await family(store)
    await store.fail(render, ErrorCode.INTERNAL, "font missing")
    task = await store.get(parent)
    assert task is not None and task.state is TaskState.FAILURE
    assert task.error is not None and "render" in task.error.message
    assert "font missing" in task.error.message


async def test_cancelling_a_parent_revokes_its_unfinished_children(store: StatusStore) -> None:
    parent, (render, email) = await family(store)
    await store.start(render)
    await store.succeed(render, {})
    assert (await store.revoke(parent)).applied
    states = {c.task_id: c.state for c in (await store.get(parent)).children}  # type: ignore[union-attr]
    assert states == {render: TaskState.SUCCESS, email: TaskState.REVOKED}
    assert not (await store.start(email)).applied  # a consumer sees it revoked


async def test_progress_does_not_touch_a_final_task(store: StatusStore) -> None:
    task_id = await put_in_state(store, TaskState.SUCCESS)
    assert not await store.progress(task_id, 10.0)


async def test_a_task_records_the_active_trace_and_its_children_inherit_it(
    store: StatusStore,
) -> None:
    from opentelemetry.sdk.trace import TracerProvider

    parent, child, untraced = str(uuid4()), str(uuid4()), str(uuid4())
    with TracerProvider().get_tracer("test").start_as_current_span("request") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
        await store.create(parent, "project.submit", "a", "u")
    # a child written later, under another trace (a batch consumer's), is still the request's
    with TracerProvider().get_tracer("test").start_as_current_span("batch"):
        await store.create(child, "email_pm", "a", "u", parent_id=parent)
    await store.create(untraced, "k", "a", "u")  # no active span: no trace recorded
    assert (await store.get(parent)).trace_id == trace_id  # type: ignore[union-attr]
    assert (await store.get(child)).trace_id == trace_id  # type: ignore[union-attr]
    assert (await store.get(untraced)).trace_id is None  # type: ignore[union-attr]


async def test_search_pages_an_accounts_tasks_newest_first_with_no_gap_or_repeat(
    store: StatusStore,
) -> None:
    account = f"acct-{uuid4()}"
    made = []
    for i in range(23):
        task_id = str(uuid4())
        await store.create(task_id, "project.create" if i % 2 else "email_pm", account, "u")
        made.append(task_id)
    await store.create(str(uuid4()), "project.create", f"other-{uuid4()}", "u")  # not listed
    seen, after = [], None
    while True:
        page, after = await store.search(account, TaskSearch(limit=5), after)
        assert len(page) <= 5
        seen += [task.task_id for task in page]
        if after is None:
            break
    assert seen == made[::-1]
    kinds = await store.search(account, TaskSearch(kind="email_pm", limit=500))
    assert [t.task_id for t in kinds[0]] == made[::-2] and kinds[1] is None


async def test_search_filters_by_states_and_since(store: StatusStore) -> None:
    account = f"acct-{uuid4()}"
    failed, revoked, running = str(uuid4()), str(uuid4()), str(uuid4())
    for task_id in (failed, revoked, running):
        await store.create(task_id, "k", account, "u")
    cutoff = (await store.get(revoked)).created_at  # type: ignore[union-attr]
    await store.fail(failed, ErrorCode.INVALID, "bad")
    await store.revoke(revoked)
    await store.start(running)
    query = TaskSearch(state=[TaskState.FAILURE, TaskState.REVOKED])
    assert [t.task_id for t in (await store.search(account, query))[0]] == [revoked, failed]
    since = TaskSearch(since=cutoff)
    assert [t.task_id for t in (await store.search(account, since))[0]] == [running, revoked]


async def test_search_skips_and_forgets_a_task_that_expired(store: StatusStore) -> None:
    account = f"acct-{uuid4()}"
    kept, gone = str(uuid4()), str(uuid4())
    await store.create(kept, "k", account, "u")
    await store.create(gone, "k", account, "u")
    await store.redis.delete(f"apex:task:{gone}")  # as its TTL would
    assert [t.task_id for t in (await store.search(account, TaskSearch()))[0]] == [kept]
    assert await store.redis.zscore(account_tasks_key(account), gone) is None


async def test_history_records_each_state_with_its_attempt_and_error(store: StatusStore) -> None:
    task_id = str(uuid4())
    await store.create(task_id, "document.render", "a", "u")
    await store.start(task_id)
    await store.retry(task_id, "SMTP down")
    await store.start(task_id)
    await store.fail(task_id, ErrorCode.INTERNAL, "out of attempts")
    await store.fail(task_id, ErrorCode.INTERNAL, "a late duplicate")  # refused: not recorded
    history = await store.history(task_id)
    assert [(h.state, h.attempt) for h in history] == [
        (TaskState.PENDING, 0),
        (TaskState.STARTED, 1),  # each start counts an attempt
        (TaskState.RETRY, 1),
        (TaskState.STARTED, 2),
        (TaskState.FAILURE, 2),
    ]
    assert [h.error.message if h.error else None for h in history] == [
        None, None, "SMTP down", None, "out of attempts",
    ]  # fmt: skip
    assert all(a.at <= b.at for a, b in itertools.pairwise(history))


async def test_history_keeps_the_latest_fifty_entries(store: StatusStore) -> None:
    task_id = str(uuid4())
    await store.create(task_id, "k", "a", "u")
    for _ in range(30):
        await store.start(task_id)
        await store.retry(task_id, "again")
    history = await store.history(task_id)
    assert len(history) == 50
    assert history[-1].state is TaskState.RETRY and history[-1].attempt == 30


async def test_the_store_counts_each_step_once_and_no_refused_or_repeated_move(
    store: StatusStore,
) -> None:
    from prometheus_client import REGISTRY

    def counted(state: str) -> float:
        labels = {"kind": kind, "state": state}
        return REGISTRY.get_sample_value("apex_tasks_transitions_total", labels) or 0.0

    kind, task_id = f"test.{uuid4().hex[:6]}", str(uuid4())
    await store.create(task_id, kind, "a", "u")
    assert not await store.create(task_id, kind, "a", "u")  # exists: not written, not counted
    await store.start(task_id)
    await store.keep_running(task_id, {"partial": True})  # a parent's own result: no step
    await store.succeed(task_id, {"ok": True})
    await store.fail(task_id, ErrorCode.INTERNAL, "a late report")  # refused: final
    assert [counted(s) for s in ("PENDING", "STARTED", "SUCCESS", "FAILURE")] == [1, 1, 1, 0]
    assert [h.state for h in await store.history(task_id)] == [
        TaskState.PENDING, TaskState.STARTED, TaskState.SUCCESS,
    ]  # fmt: skip
