"""Waits for task changes (`Prefer: wait`, `?wait=N`, SSE), woken by Redis pub/sub."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from apex_contracts.tasks import FINAL_STATES, TaskView
from apex_contracts.topology import REDIS_TASK_CHANGES_CHANNEL
from apex_runtime.status_store import StatusStore

log = logging.getLogger(__name__)


class TaskWaiter:
    def __init__(self, redis: Redis, status: StatusStore) -> None:
        self.redis = redis
        self.status = status
        self._waiting: dict[str, list[asyncio.Future[None]]] = {}
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

    async def _listen(self) -> None:
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(REDIS_TASK_CHANGES_CHANNEL)
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            self._wake(message["data"].decode())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("task notifications lost; resubscribing", exc_info=True)
                self._wake_all()  # waiters re-read their task instead of sleeping on
                await asyncio.sleep(1.0)

    def _wake(self, task_id: str) -> None:
        for future in self._waiting.pop(task_id, []):
            if not future.done():
                future.set_result(None)

    def _wake_all(self) -> None:
        for task_id in list(self._waiting):
            self._wake(task_id)

    @contextlib.asynccontextmanager
    async def _watch(self, task_id: str) -> AsyncIterator[asyncio.Future[None]]:
        """A future that completes on the task's next change (registered before any read)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(task_id, []).append(future)
        try:
            yield future
        finally:
            waiting = self._waiting.get(task_id)
            if waiting and future in waiting:
                waiting.remove(future)
                if not waiting:
                    del self._waiting[task_id]

    async def next_change(
        self, task_id: str, timeout_s: float, seen: TaskView | None
    ) -> TaskView | None:
        """The task once it differs from `seen` (or is final), or as it is after `timeout_s`."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            async with self._watch(task_id) as changed:
                task = await self.status.get(task_id)
                if task is None or task != seen or task.state in FINAL_STATES:
                    return task
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    return task
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed, remaining)

    async def wait(self, task_id: str, timeout_s: float) -> TaskView | None:
        """The task once final, or as it stands after `timeout_s`."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        task = await self.status.get(task_id)
        while task is not None and task.state not in FINAL_STATES:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            task = await self.next_change(task_id, remaining, task)
        return task
