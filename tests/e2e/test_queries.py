"""Queries are RPC over the broker: concurrent, bounded by a timeout, never a hang."""

import asyncio
import time
from uuid import uuid4

import aio_pika
import aiohttp
import orjson

from apex_contracts.queries import QueryReply
from apex_runtime.amqp_client import BrokerClient, BrokerUnavailable, QueryTimeout

from .conftest import System
from .helpers import call, create_project


async def slow_responder(
    url: str, routing_key: str, delay_s: float
) -> aio_pika.abc.AbstractConnection:
    """A service stand-in whose every answer takes `delay_s` of waiting (I/O, not CPU)."""
    connection = await aio_pika.connect(url)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=500)
    exchange = await channel.get_exchange("apex.queries")
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, routing_key)

    async def on_request(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        await asyncio.sleep(delay_s)
        reply = QueryReply.success({"echo": orjson.loads(message.body)})
        await channel.default_exchange.publish(
            aio_pika.Message(
                reply.model_dump_json().encode(), correlation_id=message.correlation_id
            ),
            routing_key=message.reply_to or "",
        )
        await message.ack()

    await queue.consume(on_request)
    return connection


async def test_200_concurrent_queries_finish_far_faster_than_one_by_one(system: System) -> None:
    routing_key = f"test.slow.{uuid4().hex}"
    responder = await slow_responder(system.settings.amqp_url, routing_key, delay_s=0.02)
    client = BrokerClient(system.settings.amqp_url, "test-queries")
    await client.connect()
    try:
        started = time.perf_counter()
        for i in range(10):
            reply = await client.query(routing_key, orjson.dumps(i), headers={}, timeout_s=5)
            assert reply.ok and reply.result == {"echo": i}
        one_by_one = (time.perf_counter() - started) / 10 * 200

        started = time.perf_counter()
        replies = await asyncio.gather(
            *(
                client.query(routing_key, orjson.dumps(i), headers={}, timeout_s=10)
                for i in range(200)
            )
        )
        concurrent = time.perf_counter() - started
    finally:
        await client.close()
        await responder.close()
    assert [r.result for r in replies] == [
        {"echo": i} for i in range(200)
    ]  # matched by correlation id
    # 200 round trips of >= 20 ms one after another take >= 4 s; in flight together, far less.
    assert concurrent < one_by_one / 5, (concurrent, one_by_one)


async def test_query_nobody_answers_times_out(system: System) -> None:
    client = BrokerClient(system.settings.amqp_url, "test-queries")
    await client.connect()
    try:
        started = time.perf_counter()
        try:
            await client.query("nobody.listens", b"{}", headers={}, timeout_s=0.3)
        except QueryTimeout:
            pass
        else:
            raise AssertionError("expected a timeout")
        assert time.perf_counter() - started < 3
    finally:
        await client.close()


async def test_other_accounts_project_is_not_found_even_when_asked_directly(
    http: aiohttp.ClientSession, system: System
) -> None:
    project_id = await create_project(http)
    client = BrokerClient(system.settings.amqp_url, "test-queries")
    await client.connect()
    try:
        body = orjson.dumps({"project_id": project_id})
        mine = await client.query(
            "project.get", body, headers={"x-apex-account": "demo"}, timeout_s=5
        )
        theirs = await client.query(
            "project.get", body, headers={"x-apex-account": "other"}, timeout_s=5
        )
    finally:
        await client.close()
    assert mine.ok
    assert not theirs.ok and theirs.error is not None and theirs.error.code == "not_found"


async def test_invalid_query_is_answered_not_timed_out(http: aiohttp.ClientSession) -> None:
    status, body, _ = await call(http, "GET", "/audit?since=yesterday")
    assert status == 422, body
    assert body["errors"][0]["field"] == "since"


async def close_connection_from_the_broker(connection_name: str) -> None:
    """What a RabbitMQ restart does to a client: CONNECTION_FORCED, then it must reconnect."""
    listing = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "-q", "list_connections", "--no-table-headers", "pid",
        "client_properties", stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await listing.communicate()
    pids = [line.split()[0] for line in out.decode().splitlines() if connection_name in line]
    assert len(pids) == 1, out
    closing = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "-q", "close_connection", pids[0], "test: forced close"
    )
    assert await closing.wait() == 0


async def test_queries_and_commands_recover_after_the_broker_drops_the_connection(
    system: System,
) -> None:
    routing_key = f"test.echo.{uuid4().hex}"
    responder = await slow_responder(system.settings.amqp_url, routing_key, delay_s=0)
    name = f"test-reconnect-{uuid4().hex[:8]}"
    client = BrokerClient(system.settings.amqp_url, name=name)
    await client.connect()
    try:
        assert (await client.query(routing_key, b"1", headers={}, timeout_s=5)).result == {
            "echo": 1
        }
        await close_connection_from_the_broker(name)
        outcomes: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            # During the outage: 503-style refusals only (BrokerUnavailable), never another error.
            try:
                reply = await client.query(routing_key, b"2", headers={}, timeout_s=1)
                await client.publish_command(
                    f"test.reconnect.{uuid4().hex}", b"{}", task_id="t", message_id="m",
                    headers={},
                )  # fmt: skip
            except (BrokerUnavailable, QueryTimeout) as exc:
                outcomes.append(type(exc).__name__)
                await asyncio.sleep(0.2)
                continue
            outcomes.append("ok")
            break
        assert outcomes[-1] == "ok", outcomes
        assert reply.result == {"echo": 2}
    finally:
        await client.close()
        await responder.close()
