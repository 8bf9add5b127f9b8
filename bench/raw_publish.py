"""The broker ceiling: raw aio-pika publishing of the gateway's `project.create` command.

Runs as its own process: one connection, one channel with publisher confirms, N publishes
in flight (each awaits its confirm, like N gateway requests would), persistent and
mandatory, to `apex.commands` / `project.create` and so into the quorum queue
`project-service.commands`. No HTTP, no Redis. Prints one JSON line of results.
"""

import argparse
import asyncio
import time
from typing import Any
from uuid import uuid4

import aio_pika
import orjson
from harness import AMQP_URL, summary

from apex_contracts import projects as c
from apex_contracts import topology as t


def command_body() -> bytes:
    """The same body the gateway publishes for `{"name", "customer"}`."""
    command = c.CreateProject(project_id=uuid4(), name="Bench sign", customer="Bench Co")
    return command.model_dump_json().encode()


async def publish_for(args: argparse.Namespace) -> dict[str, Any]:
    connection = await aio_pika.connect(args.url)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(
            t.COMMANDS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        body = command_body()
        headers = {t.HEADER_ACCOUNT: "demo", t.HEADER_ACTOR: "dev"}
        latencies: list[float] = []
        sent_total = 0
        start = time.perf_counter()
        measure_from = start + args.warmup
        until = measure_from + args.duration

        async def publisher() -> None:
            nonlocal sent_total
            while (sent := time.perf_counter()) < until:
                message = aio_pika.Message(
                    body,
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    message_id=str(uuid4()),
                    correlation_id=str(uuid4()),
                    headers=headers,
                )
                await exchange.publish(message, t.PROJECT_CREATE, mandatory=True, timeout=5)
                sent_total += 1
                if sent >= measure_from:
                    latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(publisher() for _ in range(args.in_flight)))
        stats = summary(latencies, args.duration)
        stats.update(sent=sent_total, cpu_s=round(time.process_time(), 2))
        return stats
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=AMQP_URL)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()
    print(orjson.dumps(asyncio.run(publish_for(args))).decode())


if __name__ == "__main__":
    main()
