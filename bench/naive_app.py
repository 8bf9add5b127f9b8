"""The issue's "naive handler": parse, a Redis task record, an awaited confirmed publish.

What a first version of the gateway would do and nothing more: no authentication, rate
limit, idempotency, validation beyond JSON, telemetry or metrics. Same aiohttp server stack as
`bare_app.py`; one redis-py `HSET` per request (the gateway's admission is one script call)
and one aio-pika publish with confirm of the same command body, headers and routing key into
the same quorum queue. It shows what one Python process reaches before any guarantee.
"""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import uuid4

import aio_pika
from aiohttp import web
from harness import AMQP_URL, APEX_REDIS_URL, serve
from redis.asyncio import Redis

from apex_contracts import topology as t

REDIS: web.AppKey[Redis] = web.AppKey("redis", Redis)
EXCHANGE: web.AppKey[aio_pika.abc.AbstractExchange] = web.AppKey(
    "exchange", aio_pika.abc.AbstractExchange
)


async def accept(request: web.Request) -> web.Response:
    draft = await request.json()
    task_id, project_id = str(uuid4()), str(uuid4())
    now = datetime.now(UTC).isoformat()
    await request.app[REDIS].hset(
        f"apex:task:{task_id}",
        mapping={
            "task_id": task_id,
            "kind": t.PROJECT_CREATE,
            "state": "PENDING",
            "created_at": now,
            "updated_at": now,
        },
    )
    body = json.dumps({"project_id": project_id, **draft}).encode()
    message = aio_pika.Message(
        body,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(uuid4()),
        correlation_id=task_id,
        headers={t.HEADER_ACCOUNT: "bench", t.HEADER_ACTOR: "bench"},
    )
    await request.app[EXCHANGE].publish(message, t.PROJECT_CREATE, mandatory=True, timeout=5)
    result = {"task_id": task_id, "project_id": project_id, "status_url": f"/tasks/{task_id}"}
    return web.json_response({"result": result, "errors": []}, status=202)


async def ready(_: web.Request) -> web.Response:
    return web.Response(body=b"{}", content_type="application/json")


async def connections(app: web.Application) -> AsyncIterator[None]:
    redis = Redis.from_url(APEX_REDIS_URL)
    connection = await aio_pika.connect_robust(AMQP_URL)
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    app[REDIS] = redis
    app[EXCHANGE] = await channel.declare_exchange(
        t.COMMANDS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
    )
    yield
    await connection.close()
    await redis.aclose()


def main() -> None:
    app = web.Application()
    app.cleanup_ctx.append(connections)
    app.router.add_post("/projects", accept)
    app.router.add_get("/ready", ready)
    serve(app, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
