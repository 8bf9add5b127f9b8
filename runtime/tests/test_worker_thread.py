"""The worker thread: work off the event loop, one piece at a time, shut down on stop."""

import asyncio
import threading
import time

import pytest

from apex_runtime.worker_thread import WorkerThread


async def test_work_runs_off_the_event_loop_on_one_named_thread() -> None:
    thread = WorkerThread("engineering")
    try:
        names = {await thread.run(lambda: threading.current_thread().name) for _ in range(3)}
        assert await thread.run(pow, 2, 10) == 1024
    finally:
        await thread.shutdown()
    assert len(names) == 1
    [name] = names
    assert name.startswith("engineering") and name != threading.current_thread().name


async def test_the_loop_keeps_serving_while_the_thread_works() -> None:
    thread = WorkerThread("busy")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(tick())
    try:
        await thread.run(time.sleep, 0.2)
    finally:
        ticking.cancel()
        await thread.shutdown()
    assert ticks >= 5


async def test_work_runs_in_the_order_it_was_given() -> None:
    thread = WorkerThread("ordered")
    done: list[int] = []

    def step(i: int) -> None:
        time.sleep(0.001 * (5 - i))  # the earlier, the slower: only the queue keeps the order
        done.append(i)

    try:
        await asyncio.gather(*(thread.run(step, i) for i in range(5)))
    finally:
        await thread.shutdown()
    assert done == [0, 1, 2, 3, 4]


async def test_shutdown_finishes_the_piece_in_hand_and_drops_the_rest() -> None:
    thread = WorkerThread("stopping")
    started = threading.Event()
    finished: list[str] = []

    def slow() -> None:
        started.set()
        time.sleep(0.1)
        finished.append("slow")

    in_hand = asyncio.ensure_future(thread.run(slow))
    queued = asyncio.ensure_future(thread.run(finished.append, "queued"))
    await asyncio.to_thread(started.wait)
    await thread.shutdown()
    await in_hand
    with pytest.raises(asyncio.CancelledError):
        await queued
    assert finished == ["slow"]
    with pytest.raises(RuntimeError):
        await thread.run(finished.append, "late")
