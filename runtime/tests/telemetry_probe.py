"""Run by test_telemetry.py in a process of its own (the tracer provider is set once per
process): telemetry set up as a service without an exporter, then the gateway's HTTP and
command path and FastStream's consume/publish path on the real RabbitMQ, printing what each
step saw as one JSON line."""

import asyncio
import json
import sys
from typing import Any
from uuid import uuid4

import aiohttp
from aiohttp import web
from faststream.rabbit import RabbitBroker, RabbitMessage, RabbitQueue
from opentelemetry import trace
from opentelemetry.sdk import trace as sdk_trace

from apex_runtime.settings import Settings
from apex_runtime.telemetry import current_trace_id, setup_telemetry

settings = Settings()
setup_telemetry("telemetry-probe", settings)  # first, as `python -m <service>` does

from apex_gateway.app import create_app  # noqa: E402  (after the telemetry, as in __main__)
from apex_runtime.amqp_client import BrokerClient  # noqa: E402
from apex_runtime.broker import COMMANDS, EVENTS, declare_topology, make_broker  # noqa: E402
from apex_runtime.side_server import envelope_body  # noqa: E402
from apex_runtime.telemetry import TraceContextMiddleware, trace_requests  # noqa: E402

SDK_SPANS = [0]  # spans the SDK was asked for: none expected
_sdk_start_span = sdk_trace.Tracer.start_span


def _counted(*args: Any, **kwargs: Any) -> Any:
    SDK_SPANS[0] += 1
    return _sdk_start_span(*args, **kwargs)


sdk_trace.Tracer.start_span = _counted  # type: ignore[method-assign]


def _seen(msg: RabbitMessage) -> dict[str, Any]:
    span = trace.get_current_span()
    return {
        "trace_id": current_trace_id(),
        "traceparent": (msg.headers or {}).get("traceparent"),
        "recording": span.is_recording(),
        "span_type": type(span).__name__,
    }


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


class Chain:
    """Consumers on one broker: a command, the event its handler publishes, and a publish made
    outside any trace, each recording what it saw."""

    def __init__(self, broker: RabbitBroker, run: str) -> None:
        self.broker = broker
        self.command_key, self.event_key, self.untraced_key = (
            f"probe.{run}.{k}" for k in ("do", "done", "free")
        )
        self.seen: dict[str, dict[str, Any]] = {}
        self.arrived = {k: asyncio.Event() for k in ("command", "event", "untraced")}

        @broker.subscriber(
            RabbitQueue(f"probe.{run}.commands", auto_delete=True, routing_key=self.command_key),
            exchange=COMMANDS,
        )
        async def on_command(body: dict[str, Any], msg: RabbitMessage) -> None:
            self.seen["command"] = _seen(msg)
            # a service publishing while handling: the broker's middleware injects `traceparent`
            await broker.publish(body, exchange=EVENTS, routing_key=self.event_key)
            self.arrived["command"].set()

        @broker.subscriber(
            RabbitQueue(f"probe.{run}.events", auto_delete=True, routing_key=self.event_key),
            exchange=EVENTS,
        )
        async def on_event(body: dict[str, Any], msg: RabbitMessage) -> None:
            self.seen["event"] = _seen(msg)
            self.arrived["event"].set()

        @broker.subscriber(
            RabbitQueue(f"probe.{run}.free", auto_delete=True, routing_key=self.untraced_key),
            exchange=EVENTS,
        )
        async def on_untraced(body: dict[str, Any], msg: RabbitMessage) -> None:
            self.seen["untraced"] = _seen(msg)
            self.arrived["untraced"].set()

    async def finish(self) -> dict[str, dict[str, Any]]:
        """Publish outside any trace (a timer, a relay), then wait for every consumer."""
        await self.broker.publish({"n": 2}, exchange=EVENTS, routing_key=self.untraced_key)
        async with asyncio.timeout(20):
            for event in self.arrived.values():
                await event.wait()
        return self.seen


async def main() -> dict[str, Any]:
    run = uuid4().hex[:12]
    broker = make_broker(settings)  # FastStream's RabbitTelemetryMiddleware, as the services
    slim = RabbitBroker(settings.amqp_url, middlewares=[TraceContextMiddleware], logger=None)
    chains = {"telemetry": Chain(broker, f"{run}.t"), "trace_context": Chain(slim, f"{run}.c")}

    client = BrokerClient(settings.amqp_url, name="telemetry-probe")

    async def publish(request: web.Request) -> web.Response:
        """As the gateway's commands: published inside the request's trace."""
        for chain in chains.values():
            task_id = str(uuid4())
            await client.publish_command(
                chain.command_key, b'{"n": 1}', task_id=task_id, message_id=task_id, headers={}
            )
        return web.json_response(envelope_body({"published": True}))

    async def echo(request: web.Request) -> web.Response:
        span = trace.get_current_span()
        return web.json_response(
            envelope_body({"recording": span.is_recording(), "span_type": type(span).__name__})
        )

    probe_app = web.Application(middlewares=[trace_requests])
    probe_app.router.add_post("/publish", publish)
    probe_app.router.add_get("/echo", echo)
    gateway_app = create_app(settings)

    out: dict[str, Any] = {
        "provider": type(trace.get_tracer_provider()).__name__,
        "application_class": f"{web.Application.__module__}.{web.Application.__qualname__}",
    }
    await broker.connect()
    await declare_topology(broker)
    await broker.start()
    await slim.start()
    await client.start()
    runners = []
    try:
        probe_runner, probe_url = await serve(probe_app)
        gateway_runner, gateway_url = await serve(gateway_app)
        runners = [probe_runner, gateway_runner]
        async with aiohttp.ClientSession() as http:

            async def get(url: str, **kwargs: Any) -> dict[str, Any]:
                async with http.get(url, **kwargs) as response:
                    body = await response.json()
                    return {"status": response.status, "body": body}

            out["echo"] = [await get(f"{probe_url}/echo") for _ in range(20)]
            caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            out["echo_continued"] = await get(f"{probe_url}/echo", headers={"traceparent": caller})
            # the real gateway app: an unauthenticated request still answers in an envelope
            out["gateway"] = [await get(f"{gateway_url}/projects") for _ in range(5)]
            out["gateway_continued"] = await get(
                f"{gateway_url}/projects", headers={"traceparent": caller}
            )
            async with http.post(f"{probe_url}/publish") as response:
                out["publish"] = {"status": response.status, "body": await response.json()}
        out["seen"] = {name: await chain.finish() for name, chain in chains.items()}
    finally:
        for runner in runners:
            await runner.cleanup()
        await client.close()
        await broker.stop()
        await slim.stop()
    out["sdk_spans"] = SDK_SPANS[0]
    return out


if __name__ == "__main__":
    result = asyncio.run(main())
    sys.stdout.write(json.dumps(result) + "\n")
