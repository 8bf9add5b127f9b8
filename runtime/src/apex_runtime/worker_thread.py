"""CPU-bound work off the event loop, on one thread of its own."""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar, TypeVarTuple

R = TypeVar("R")
Ts = TypeVarTuple("Ts")


class WorkerThread:
    """One thread, so the event loop keeps serving heartbeats, checks and replies meanwhile.

    One, not a pool: the work holds the GIL anyway, and what runs here need not be thread-safe
    (WeasyPrint promises no thread safety)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def run(self, fn: Callable[[*Ts], R], *args: *Ts) -> R:
        """`fn(*args)` on the thread, after the work queued before it."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def shutdown(self) -> None:
        """Drop the work not yet begun and wait, off the loop, for the piece in hand."""
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
