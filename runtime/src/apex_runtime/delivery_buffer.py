"""What RabbitMQ has delivered to a batched consumer, handed out one batch at a time.

Both batched consumers read their queues through one of these: project-service's commands
(`batches.BatchConsumer`) and the audit log's entries (audit-service's `ingest`). The rule is
the same for both: a batch is what has already arrived, up to `batch_max`; with more than one
message waiting and fewer than a full batch, the consumer lingers up to `batch_wait_s` for the
batch to fill (one commit for many), and with a single message it does not wait at all. A
message that must be handled alone (`alone`, e.g. a redelivery) is a batch of its own, and the
batch before it stops short of it, so deliveries are always handled in the order they came.

A consumer nobody waits on (the audit log: no task, no client holding a request open) can ask
a single message to linger for company too (`linger_alone`): at a trickle, one commit then
serves several messages instead of one each.
"""

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class DeliveryBuffer(Generic[T]):
    def __init__(
        self,
        batch_max: int,
        batch_wait_s: float,
        *,
        alone: Callable[[T], bool] = lambda _: False,
        linger_alone: bool = False,
    ) -> None:
        self.batch_max = batch_max
        self.batch_wait_s = batch_wait_s
        self.alone = alone
        self._fewest_to_linger = 1 if linger_alone else 2
        self._items: list[T] = []
        self._arrived = asyncio.Event()
        self._full = asyncio.Event()
        self._closed = False

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: T) -> None:
        """A delivery, in the order RabbitMQ delivered it."""
        self._items.append(item)
        self._arrived.set()
        if len(self._items) >= self.batch_max:
            self._full.set()

    def give_back(self, items: Iterable[T]) -> None:
        """Deliveries taken but not settled go first again, in their order."""
        back = list(items)
        if back:
            self._items[:0] = back
            self._arrived.set()

    def close(self) -> None:
        """Wake a waiting `next_batch`, which then returns nothing (the consumer is stopping)."""
        self._closed = True
        self._arrived.set()
        self._full.set()
        self.batch_wait_s = 0.0

    async def next_batch(self) -> list[T]:
        """The next batch once one message is there (empty once closed)."""
        await self._arrived.wait()
        waiting = len(self._items)
        if self._fewest_to_linger <= waiting < self.batch_max and self.batch_wait_s > 0:
            self._full.clear()  # linger to fill the batch, never past a full one
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.batch_wait_s):
                    await self._full.wait()
        if self._closed:
            return []
        batch = self.take()
        if not self._items:
            self._arrived.clear()
        return batch

    def take(self) -> list[T]:
        """What is buffered now, as one batch (without waiting)."""
        items = self._items
        if not items:
            return []
        if self.alone(items[0]):
            batch = items[:1]
        else:
            batch = []
            for item in items[: self.batch_max]:
                if self.alone(item):
                    break
                batch.append(item)
        del items[: len(batch)]
        return batch
