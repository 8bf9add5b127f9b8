"""Waits for task changes (`Prefer: wait`, `?wait=N`, SSE), woken by Redis pub/sub.

Each gateway process listens, for its whole life, on one channel of its own
(`apex:gateway:<id>`, `TaskWaiter.channel`). A task it admits names that channel in its record
(field `notify`), and every transition of the task is published there as "<task id> <state>",
so a waiter on such a task subscribes to nothing: the message wakes it directly (a `wait` for
the outcome only when the state is final). Any other task (admitted by another gateway, or a
child) is waited on through its own channel `apex:task-changes:<id>`, subscribed while a
request here waits on it; so is a parent with children when every change counts (`?wait=`,
SSE), its children's changes and its progress being announced on its own channel only. The
waiter's first read of the task decides which.

The listener owns one pub/sub connection; the per-task subscription changes go through one
queue and one sender, so Redis sees them in the order they were decided, and each SUBSCRIBE's
confirmation (Redis answers them in order) tells its waiters that no later change can be
missed. Notifications only shorten the wait: a waiter reads its task again at least every
`RECHECK_S`, and every waiter reads again once the connection is back after a loss, so a lost
notification costs latency, never an answer.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from uuid import uuid4

import orjson
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from apex_contracts.tasks import FINAL_STATES, TaskRecord
from apex_contracts.topology import REDIS_GATEWAY_PREFIX
from apex_runtime.status_store import StatusStore, changes_channel

log = logging.getLogger(__name__)
RECHECK_S = 1.0  # a waiter reads its task at least this often, notified or not
CONFIRM_S = 1.0  # how long a waiter waits for its subscription before reading anyway
FINALS_KEPT = 10_000  # final tasks remembered from announcements (a few MB at most)
STOP_TIMEOUT_S = 2.0  # for the notification loops to end at shutdown
_FINAL = frozenset(state.value for state in FINAL_STATES)


class _Watch:
    """One waiting request: `woken` resolves once its task may have changed as it cares."""

    def __init__(self, task_id: str, finals_only: bool) -> None:
        self.task_id = task_id
        self.finals_only = finals_only  # waits for the outcome: other states do not wake it
        self.subscribed = False  # holds a subscription to the task's own channel
        self.woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def wake(self, state: str | None) -> None:
        """`state`: the task's new state when the notification names it."""
        if not self.woken.done() and (state is None or not self.finals_only or state in _FINAL):
            self.woken.set_result(None)

    def rearm(self) -> None:
        """Call before each read: a change during the read wakes the next wait."""
        if self.woken.done():
            self.woken = asyncio.get_running_loop().create_future()


@dataclass
class _Subscription:
    confirmed: asyncio.Future[None]
    users: int = 0


class TaskWaiter:
    def __init__(self, redis: Redis, status: StatusStore, channel: str | None = None) -> None:
        self.redis = redis
        self.status = status
        # Where the transitions of the tasks this gateway admits are announced (their `notify`).
        self.channel = channel or f"{REDIS_GATEWAY_PREFIX}{uuid4().hex}"
        self._channel = self.channel.encode()
        self._waiting: dict[str, list[_Watch]] = {}
        # The last final tasks announced here, as they were: an answer needs no read, and a
        # waiter that registers after its task's announcement still finds it.
        # Kept as announced (parsed only when a waiter reads it: most are never read).
        self._finals: dict[str, bytes] = {}
        self._subscribed: dict[str, _Subscription] = {}  # task id → its own channel's
        self._confirmations: dict[str, deque[asyncio.Future[None]]] = {}  # channel → in order
        # After a (re)connection: the confirmations its SUBSCRIBE answers, and its task channels
        # (their first confirmation belongs to no order).
        self._covered: list[asyncio.Future[None]] = []
        self._resubscribed: set[str] = set()
        self._generation = 0  # connections so far; an order of an earlier one is not sent
        self._orders: asyncio.Queue[tuple[int, str, str]] = asyncio.Queue()
        self._pubsub: PubSub | None = None
        self._connected = asyncio.Event()  # the gateway channel's subscription is confirmed
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._send())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:  # bounded: a loop that lost its cancellation must not hold the exit
            _, stuck = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT_S)
            for task in stuck:
                log.warning("a waiter loop did not stop", extra={"loop": task.get_name()})

    async def wait(
        self, task_id: str, timeout_s: float, *, admitted_here: bool = False
    ) -> TaskRecord | None:
        """The task once final, or as it stands after `timeout_s`.

        `admitted_here`: this gateway has just recorded the task (pending, announced on its
        channel), so the first read is skipped; a late or lost announcement is caught by the
        re-check."""
        return await self._until(
            task_id,
            timeout_s,
            lambda task: task.state in FINAL_STATES,
            finals_only=True,
            admitted_here=admitted_here,
        )

    async def next_change(
        self, task_id: str, timeout_s: float, seen: TaskRecord | None
    ) -> TaskRecord | None:
        """The task once it differs from `seen` (or is final), or as it is after `timeout_s`."""
        if seen is not None and seen.state in FINAL_STATES:
            return seen  # final states stay final: nothing to wait for
        return await self._until(
            task_id,
            timeout_s,
            lambda task: task != seen or task.state in FINAL_STATES,
            finals_only=False,
        )

    async def _until(
        self,
        task_id: str,
        timeout_s: float,
        done: Callable[[TaskRecord], bool],
        *,
        finals_only: bool,
        admitted_here: bool = False,
    ) -> TaskRecord | None:
        """The task once `done` (or gone), or as it is after `timeout_s`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        watch = _Watch(task_id, finals_only)
        waiters = self._waiting.setdefault(task_id, [])
        waiters.append(watch)  # before the first read: a change during it wakes us
        try:
            task: TaskRecord | None = None
            waiting = admitted_here and task_id not in self._finals
            if not waiting:
                final = self._final(task_id)
                fields, child_ids = final or await self.status.raw(task_id)
                task = await self.status.record_of(fields, child_ids)
                announced = self._announced_here(fields, child_ids, finals_only)
                if task is not None and not done(task) and not announced:
                    await self._subscribe(watch)
                    watch.rearm()
                    task = await self._read(task_id)  # a change before the subscription held
            while waiting or (task is not None and not done(task)):
                waiting = False
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(watch.woken), min(remaining, RECHECK_S))
                watch.rearm()
                task = await self._read(task_id)
            return task
        finally:
            waiters.remove(watch)
            if not waiters:
                del self._waiting[task_id]
            self._release(watch)

    async def _read(self, task_id: str) -> TaskRecord | None:
        """The task as its final announcement carried it, or as Redis holds it now."""
        final = self._final(task_id)
        if final is not None:
            return await self.status.record_of(*final)
        return await self.status.get(task_id)

    def _final(self, task_id: str) -> tuple[dict[bytes, bytes], list[bytes]] | None:
        """The task's final announcement, as `StatusStore.raw()` reads a task, if one came."""
        payload = self._finals.get(task_id)
        if payload is None:
            return None
        flat, children = orjson.loads(payload)
        fields = {k.encode(): v.encode() for k, v in zip(flat[::2], flat[1::2], strict=True)}
        child_ids = [c.encode() for c in children] if isinstance(children, list) else []
        return fields, child_ids

    def _remember_final(self, task_id: str, payload: bytes) -> None:
        self._finals[task_id] = payload
        if len(self._finals) > FINALS_KEPT:  # the oldest goes (insertion order)
            del self._finals[next(iter(self._finals))]

    def _announced_here(
        self, fields: dict[bytes, bytes], child_ids: list[bytes], finals_only: bool
    ) -> bool:
        """Whether every change a waiter looks for is announced on this gateway's channel."""
        if fields.get(b"notify") != self._channel:
            return False
        # Only the task's own transitions are: a parent's children (and its progress, which
        # follows them) are announced on its own channel, so a waiter for any change of a
        # parent subscribes to that. A parent's outcome is a transition of its own.
        return finals_only or not child_ids

    async def _subscribe(self, watch: _Watch) -> None:
        """Subscribe to the task's own channel for `watch`: confirmed, or given up after
        CONFIRM_S (the re-check then finds what a notification would have announced)."""
        subscription = self._subscribed.get(watch.task_id)
        if subscription is None:
            confirmed = asyncio.get_running_loop().create_future()
            subscription = self._subscribed[watch.task_id] = _Subscription(confirmed)
            channel = changes_channel(watch.task_id)
            self._confirmations.setdefault(channel, deque()).append(confirmed)
            self._orders.put_nowait((self._generation, "subscribe", watch.task_id))
        subscription.users += 1
        watch.subscribed = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(subscription.confirmed), CONFIRM_S)

    def _release(self, watch: _Watch) -> None:
        if not watch.subscribed:
            return
        subscription = self._subscribed[watch.task_id]
        subscription.users -= 1
        if not subscription.users:
            del self._subscribed[watch.task_id]
            self._orders.put_nowait((self._generation, "unsubscribe", watch.task_id))

    async def _listen(self) -> None:
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    # This SUBSCRIBE covers every order decided so far: the sender drops them.
                    self._generation += 1
                    self._covered += [
                        f for pending in self._confirmations.values() for f in pending
                    ]
                    self._confirmations = {}
                    self._resubscribed = {changes_channel(t) for t in self._subscribed}
                    await pubsub.subscribe(self.channel, *self._resubscribed)
                    self._pubsub = pubsub
                    async for message in pubsub.listen():
                        kind = message["type"]
                        if kind == "message":
                            self._notified(message["channel"], message["data"])
                        elif kind == "subscribe":
                            self._confirmed(message["channel"])
            except asyncio.CancelledError:
                raise
            except Exception:
                _raise_if_cancelled()
                log.warning("task notifications lost; resubscribing", exc_info=True)
                self._pubsub = None
                self._connected.clear()
                await asyncio.sleep(1.0)

    async def _send(self) -> None:
        """Send the per-task SUBSCRIBE/UNSUBSCRIBE in the order they were decided."""
        while True:
            generation, command, task_id = await self._orders.get()
            await self._connected.wait()
            pubsub = self._pubsub
            if pubsub is None or generation != self._generation:
                continue  # decided before the connection: its SUBSCRIBE covered the order
            try:
                if command == "subscribe":
                    await pubsub.subscribe(changes_channel(task_id))
                else:
                    await pubsub.unsubscribe(changes_channel(task_id))
            except Exception:
                _raise_if_cancelled()
                log.warning("could not %s to task %s", command, task_id, exc_info=True)

    def _notified(self, channel: bytes, data: bytes) -> None:
        if channel == self._channel:  # "<task id> <state>[ <the final task>]"
            task_id, _, rest = data.partition(b" ")
            state, _, final = rest.partition(b" ")
            if final:
                self._remember_final(task_id.decode(), final)
            self._wake(task_id.decode(), state.decode() or None)
        else:  # a task's own channel: its id
            self._wake(data.decode(), None)

    def _confirmed(self, channel_bytes: bytes) -> None:
        channel = channel_bytes.decode()
        if channel == self.channel:
            # The line is (again) open: what the connection's SUBSCRIBE covered is confirmed,
            # and every waiter reads its task again (a change meanwhile went unannounced).
            for future in self._covered:
                if not future.done():
                    future.set_result(None)
            self._covered = []
            self._connected.set()
            for task_id in list(self._waiting):
                self._wake(task_id, None)
            return
        if channel in self._resubscribed:
            self._resubscribed.discard(channel)  # answers the connection's SUBSCRIBE, no order
            return
        pending = self._confirmations.get(channel)
        if pending:
            future = pending.popleft()
            if not future.done():
                future.set_result(None)
            if not pending:
                del self._confirmations[channel]

    def _wake(self, task_id: str, state: str | None) -> None:
        for watch in self._waiting.get(task_id, ()):
            watch.wake(state)


def _raise_if_cancelled() -> None:
    """redis-py can turn the cancellation of a call on a closing connection into a
    ConnectionError; a loop that caught it must still end when it was asked to."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
