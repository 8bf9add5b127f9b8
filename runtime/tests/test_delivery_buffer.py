"""How a batched consumer's deliveries become batches (no broker needed: the buffer is pure)."""

import asyncio

from apex_runtime.delivery_buffer import DeliveryBuffer

HOUR = 3600.0  # a linger no test would outlast: a wait that happened would show as a hang


async def test_one_message_is_handed_out_at_once() -> None:
    buffer = DeliveryBuffer[int](10, HOUR)
    buffer.add(1)
    async with asyncio.timeout(5):
        assert await buffer.next_batch() == [1]
    assert len(buffer) == 0


async def test_several_messages_linger_until_the_batch_is_full() -> None:
    buffer = DeliveryBuffer[int](3, HOUR)
    buffer.add(1)
    buffer.add(2)
    waiting = asyncio.create_task(buffer.next_batch())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not waiting.done()  # two of three: it waits for the third
    buffer.add(3)
    buffer.add(4)
    async with asyncio.timeout(5):
        assert await waiting == [1, 2, 3]
        assert await buffer.next_batch() == [4]  # alone now: no wait


async def test_the_linger_ends_after_batch_wait() -> None:
    buffer = DeliveryBuffer[int](100, 0.01)
    buffer.add(1)
    buffer.add(2)
    async with asyncio.timeout(5):
        assert await buffer.next_batch() == [1, 2]


async def test_a_message_that_must_go_alone_is_a_batch_of_its_own_in_order() -> None:
    buffer = DeliveryBuffer[int](10, 0.0, alone=lambda n: n < 0)
    for n in (1, 2, -3, 4, -5, -6, 7):
        buffer.add(n)
    batches = [buffer.take() for _ in range(5)]
    assert batches == [[1, 2], [-3], [4], [-5], [-6]]
    assert buffer.take() == [7]
    assert buffer.take() == []


async def test_what_is_given_back_goes_first_again() -> None:
    buffer = DeliveryBuffer[int](2, 0.0)
    for n in (1, 2, 3):
        buffer.add(n)
    taken = await buffer.next_batch()
    assert taken == [1, 2]
    buffer.give_back(taken[1:])
    async with asyncio.timeout(5):
        assert await buffer.next_batch() == [2, 3]


async def test_close_wakes_a_waiting_consumer_with_nothing() -> None:
    buffer = DeliveryBuffer[int](10, HOUR)
    waiting = asyncio.create_task(buffer.next_batch())
    await asyncio.sleep(0)
    buffer.add(1)
    buffer.add(2)  # it is lingering now
    await asyncio.sleep(0)
    buffer.close()
    async with asyncio.timeout(5):
        assert await waiting == []
    assert len(buffer) == 2  # not taken: unacked, RabbitMQ delivers them again


async def test_a_consumer_nobody_waits_on_lets_a_lone_message_linger() -> None:
    buffer = DeliveryBuffer[int](3, HOUR, linger_alone=True)
    buffer.add(1)
    waiting = asyncio.create_task(buffer.next_batch())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not waiting.done()
    buffer.add(2)
    buffer.add(3)
    async with asyncio.timeout(5):
        assert await waiting == [1, 2, 3]
