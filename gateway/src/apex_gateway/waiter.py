"""Waits for a task to reach a final state (`Prefer: wait`), woken by Redis pub/sub."""

import asyncio
import contextlib
import logging

from redis.asyncio import Redis

from apex_contracts.tasks import FINAL_STATES, TaskView
from apex_contracts.topology import REDIS_TASK_FINAL_CHANNEL
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
                    await pubsub.subscribe(REDIS_TASK_FINAL_CHANNEL)
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

    async def wait(self, task_id: str, timeout_s: float) -> TaskView | None:
        """The task once final, or as it stands after `timeout_s`."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(task_id, []).append(future)
        try:
            task = await self.status.get(task_id)  # read after subscribing: no lost wake-up
            if task is None or task.state in FINAL_STATES:
                return task
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(future, timeout_s)
        finally:
            waiting = self._waiting.get(task_id)
            if waiting and future in waiting:
                waiting.remove(future)
                if not waiting:
                    del self._waiting[task_id]
        return await self.status.get(task_id)
