"""Start hooks in order, stop hooks in reverse, each stop hook run whatever the others do."""

import asyncio
import logging

import pytest

from apex_runtime.lifecycle import Hook, Lifecycle
from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import Settings


def recorder(calls: list[str], name: str, *, fails: bool = False) -> Hook:
    async def hook() -> None:
        calls.append(name)
        if fails:
            raise RuntimeError(f"{name} broke")

    hook.__qualname__ = name
    return hook


async def test_start_hooks_run_in_order_and_stop_hooks_in_reverse() -> None:
    lifecycle, calls = Lifecycle(grace_s=1.0), list[str]()
    for name in ("connect", "warm up", "bind"):
        lifecycle.on_start(recorder(calls, f"start {name}"))
        lifecycle.on_stop(recorder(calls, f"stop {name}"))
    await lifecycle.start()
    await lifecycle.stop()
    assert calls == [
        *("start connect", "start warm up", "start bind"),
        *("stop bind", "stop warm up", "stop connect"),
    ]


async def test_a_failing_start_hook_fails_the_start_and_runs_nothing_after_it() -> None:
    lifecycle, calls = Lifecycle(grace_s=1.0), list[str]()
    lifecycle.on_start(recorder(calls, "first", fails=True))
    lifecycle.on_start(recorder(calls, "second"))
    with pytest.raises(RuntimeError, match="first broke"):
        await lifecycle.start()
    assert calls == ["first"]


async def test_a_failing_stop_hook_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lifecycle, calls = Lifecycle(grace_s=1.0), list[str]()
    lifecycle.on_stop(recorder(calls, "close the client"))
    lifecycle.on_stop(recorder(calls, "sign the checkpoints", fails=True))
    lifecycle.on_stop(recorder(calls, "shut the thread"))
    with caplog.at_level(logging.ERROR, logger="apex_runtime.lifecycle"):
        await lifecycle.stop()
    assert calls == ["shut the thread", "sign the checkpoints", "close the client"]
    [failed] = caplog.records
    assert failed.getMessage() == "a stop hook failed"
    assert failed.hook == "sign the checkpoints"  # type: ignore[attr-defined]


async def test_a_stop_hook_that_overruns_the_grace_period_is_cancelled_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lifecycle, calls = Lifecycle(grace_s=0.2), list[str]()
    lifecycle.on_stop(recorder(calls, "after"))

    async def hangs() -> None:
        await asyncio.Event().wait()

    lifecycle.on_stop(hangs)
    started = asyncio.get_running_loop().time()
    with caplog.at_level(logging.WARNING, logger="apex_runtime.lifecycle"):
        await lifecycle.stop()
    assert asyncio.get_running_loop().time() - started < 1.0
    assert [r.getMessage() for r in caplog.records] == ["a stop hook overran the grace period"]
    assert calls == ["after"]


async def test_a_periodic_loop_runs_again_after_a_round_fails() -> None:
    rt = ServiceRuntime("lifecycle-test", Settings(), 0, with_db=False)
    rounds: list[int] = []

    async def round_() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("the first round fails")

    rt.add_loop(round_, every_s=0.01)
    [(name, loop)] = rt._loops[2:]
    running = asyncio.create_task(loop())
    try:
        while len(rounds) < 3:  # noqa: ASYNC110 - until the loop ran three rounds
            await asyncio.sleep(0.01)
    finally:
        running.cancel()
        await rt.redis.aclose()
    assert name.endswith("round_")


async def test_the_query_client_is_named_after_its_service_and_made_once() -> None:
    rt = ServiceRuntime("document-service", Settings(), 0, with_db=False)
    try:
        client = rt.query_client()
        assert client.name == "document-service queries"
        assert rt.query_client() is client
        assert len(rt._lifecycle._on_start) == len(rt._lifecycle._on_stop) == 1
    finally:
        await rt.redis.aclose()


async def test_a_service_may_connect_to_its_database_as_a_role_of_its_own() -> None:
    url = "postgresql+asyncpg://apex_audit@127.0.0.1:5432/apex"
    rt = ServiceRuntime("audit-service", Settings(), 0, with_db=True, database_url=url)
    try:
        assert rt.engine is not None
        assert rt.engine.url.username == "apex_audit"
    finally:
        assert rt.engine is not None
        await rt.engine.dispose()
        await rt.redis.aclose()
    with pytest.raises(ValueError, match="with_db"):
        ServiceRuntime("signage-service", Settings(), 0, with_db=False, database_url=url)
