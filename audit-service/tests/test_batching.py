"""The ingest's batching policy: linger to fill a batch at low rates, never past a full one.

The deliveries are stand-ins for aiormq's (what `BatchIngest` reads of them: properties,
routing key, body, delivery tag, and the channel to ack on); storage is a list. RabbitMQ and
PostgreSQL are exercised end to end in tests/e2e/test_audit_*.
"""

import asyncio
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import orjson

from apex_audit.chain import Draft
from apex_audit.handlers import Appended
from apex_audit.ingest import BatchIngest, Source
from apex_audit.redaction import Redactor

SOURCE = Source("audit-service.events", "event")


class Channel:
    def __init__(self) -> None:
        self.acked: list[tuple[int, bool]] = []

    async def basic_ack(self, tag: int, multiple: bool = False) -> None:
        self.acked.append((tag, multiple))


class Ingest:
    """A BatchIngest whose storage is a list of the batches it was given."""

    def __init__(self, *, batch_max: int, batch_wait_s: float) -> None:
        self.batches: list[list[str]] = []
        self.stored = asyncio.Event()
        self.channel = Channel()
        self.tags = 0
        self.ingest = BatchIngest(
            "amqp://unused",
            [SOURCE],
            self.append,
            Redactor(),
            prefetch=1000,
            batch_max=batch_max,
            batch_wait_s=batch_wait_s,
        )

    async def append(self, drafts: Sequence[Draft]) -> Appended:
        self.batches.append([d.message_id for d in drafts])
        self.stored.set()
        return Appended()

    async def deliver(self, count: int) -> None:
        for _ in range(count):
            self.tags += 1
            properties = SimpleNamespace(
                headers={"x-apex-account": "acme"},
                message_id=str(uuid4()),
                correlation_id=None,
                timestamp=None,
            )
            message: Any = SimpleNamespace(
                header=SimpleNamespace(properties=properties),
                routing_key="project.created",
                body=orjson.dumps({"project_id": "p-1"}),
                delivery_tag=self.tags,
                channel=self.channel,
            )
            await self.ingest._received(SOURCE, message)


async def test_a_full_batch_is_stored_without_waiting_out_the_linger() -> None:
    ingest = Ingest(batch_max=5, batch_wait_s=30.0)
    storing = asyncio.create_task(ingest.ingest._store_forever())
    try:
        await ingest.deliver(1)
        await asyncio.sleep(0.05)  # the lone entry lingers for company
        assert ingest.batches == []
        await ingest.deliver(4)  # now the batch is full: stored at once, not after 30 s
        await asyncio.wait_for(ingest.stored.wait(), 5)
        assert [len(b) for b in ingest.batches] == [5]
        assert ingest.channel.acked == [(5, True)]  # one ack for the whole batch
    finally:
        storing.cancel()
        await asyncio.gather(storing, return_exceptions=True)


async def test_entries_arriving_within_the_linger_share_one_transaction() -> None:
    ingest = Ingest(batch_max=500, batch_wait_s=1.0)
    storing = asyncio.create_task(ingest.ingest._store_forever())
    try:
        for _ in range(4):  # a trickle: four entries 20 ms apart
            await ingest.deliver(1)
            await asyncio.sleep(0.02)
        await asyncio.wait_for(ingest.stored.wait(), 5)
        assert [len(b) for b in ingest.batches] == [4]
    finally:
        storing.cancel()
        await asyncio.gather(storing, return_exceptions=True)
