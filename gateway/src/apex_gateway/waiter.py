"""Waits for task changes (`Prefer: wait`, `?wait=N`, SSE), woken by Redis pub/sub.

Each task's changes are announced on its own channel, and this gateway subscribes only to the
tasks one of its requests waits on, so its work grows with its waiters, not with every task in
the system. The listener owns one pub/sub connection; subscription changes go through one
queue and one sender, so Redis sees them in the order they were decided, and each SUBSCRIBE's
confirmation (Redis answers them in order) tells its waiters that no later change can be
missed. Notifications only shorten the wait: a waiter reads its task again at least every
`RECHECK_S`, so a notification lost to a reconnect costs latency, never an answer.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from apex_contracts.tasks import FINAL_STATES, TaskView
from apex_contracts.topology import REDIS_TASK_CHANGES_PREFIX
from apex_runtime.status_store import StatusStore, changes_channel

log = logging.getLogger(__name__)
RECHECK_S = 1.0  # a waiter reads its task at least this often, notified or not
CONFIRM_S = 1.0  # how long a waiter waits for its subscription before reading anyway
# Keeps the pub/sub connection subscribed (redis-py stops listening with no subscription);
# nothing is published on it, task ids being UUIDs.
_IDLE_CHANNEL = f"{REDIS_TASK_CHANGES_PREFIX}-"


class TaskWaiter:
    def __init__(self, redis: Redis, status: StatusStore) -> None:
        self.redis = redis
        self.status = status
        self._waiting: dict[str, list[asyncio.Future[None]]] = {}
        self._subscribed: dict[str, asyncio.Future[None]] = {}  # task id → its confirmation
        self._confirmations: dict[str, deque[asyncio.Future[None]]] = {}  # channel → in order
        self._orders: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._pubsub: PubSub | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._send())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _listen(self) -> None:
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(_IDLE_CHANNEL, *map(changes_channel, self._waiting))
                    self._pubsub = pubsub
                    self._confirm_all()  # the line is open again: waiters read their task
                    async for message in pubsub.listen():
                        kind = message["type"]
                        if kind == "message":
                            self._wake(message["data"].decode())
                        elif kind == "subscribe":
                            self._confirmed(message["channel"].decode())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("task notifications lost; resubscribing", exc_info=True)
                self._pubsub = None
                self._wake_all()  # waiters re-read their task instead of sleeping on
                await asyncio.sleep(1.0)

    async def _send(self) -> None:
        """Send SUBSCRIBE/UNSUBSCRIBE in the order they were decided."""
        while True:
            command, task_id = await self._orders.get()
            pubsub = self._pubsub
            if pubsub is None:
                continue  # the listener subscribes to every waited-on task when it reconnects
            try:
                if command == "subscribe":
                    await pubsub.subscribe(changes_channel(task_id))
                else:
                    await pubsub.unsubscribe(changes_channel(task_id))
            except Exception:
                log.warning("could not %s to task %s", command, task_id, exc_info=True)

    def _confirmed(self, channel: str) -> None:
        pending = self._confirmations.get(channel)
        if pending:
            future = pending.popleft()
            if not future.done():
                future.set_result(None)
            if not pending:
                del self._confirmations[channel]

    def _confirm_all(self) -> None:
        for pending in self._confirmations.values():
            for future in pending:
                if not future.done():
                    future.set_result(None)
        self._confirmations.clear()

    def _wake(self, task_id: str) -> None:
        for future in self._waiting.get(task_id, []):
            if not future.done():
                future.set_result(None)

    def _wake_all(self) -> None:
        for task_id in list(self._waiting):
            self._wake(task_id)

    def _subscribe(self, task_id: str) -> asyncio.Future[None]:
        confirmation: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._subscribed[task_id] = confirmation
        self._confirmations.setdefault(changes_channel(task_id), deque()).append(confirmation)
        self._orders.put_nowait(("subscribe", task_id))
        return confirmation

    def _unsubscribe(self, task_id: str) -> None:
        self._subscribed.pop(task_id, None)
        self._orders.put_nowait(("unsubscribe", task_id))

    @contextlib.asynccontextmanager
    async def _watch(self, task_id: str) -> AsyncIterator[list[asyncio.Future[None]]]:
        """Subscribed to the task (confirmed, or given up after CONFIRM_S) while inside.

        Yields a one-element list holding the future of the next change: `rearm` it after
        each wake-up, so that a change during the following read is not lost.
        """
        waiters = self._waiting.setdefault(task_id, [])
        slot = [asyncio.get_running_loop().create_future()]
        waiters.append(slot[0])
        confirmation = self._subscribed.get(task_id) or self._subscribe(task_id)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(confirmation), CONFIRM_S)
            yield slot
        finally:
            waiters.remove(slot[0])
            if not waiters:
                del self._waiting[task_id]
                self._unsubscribe(task_id)

    def _rearm(self, task_id: str, slot: list[asyncio.Future[None]]) -> None:
        waiters = self._waiting[task_id]
        waiters.remove(slot[0])
        slot[0] = asyncio.get_running_loop().create_future()
        waiters.append(slot[0])

    async def next_change(
        self, task_id: str, timeout_s: float, seen: TaskView | None
    ) -> TaskView | None:
        """The task once it differs from `seen` (or is final), or as it is after `timeout_s`."""
        if seen is not None and seen.state in FINAL_STATES:
            return seen  # final states stay final: nothing to wait for
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        async with self._watch(task_id) as slot:
            while True:
                self._rearm(task_id, slot)  # before the read: a change during it wakes us
                task = await self.status.get(task_id)
                if task is None or task != seen or task.state in FINAL_STATES:
                    return task
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return task
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(slot[0]), min(remaining, RECHECK_S))

    async def wait(self, task_id: str, timeout_s: float) -> TaskView | None:
        """The task once final, or as it stands after `timeout_s`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        async with self._watch(task_id) as slot:
            while True:
                self._rearm(task_id, slot)
                task = await self.status.get(task_id)
                remaining = deadline - loop.time()
                if task is None or task.state in FINAL_STATES or remaining <= 0:
                    return task
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(slot[0]), min(remaining, RECHECK_S))
