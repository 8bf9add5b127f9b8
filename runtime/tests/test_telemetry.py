"""Without an exporter no span is recorded, yet trace ids are made and travel as before.

`TraceIdsOnly` alone, in this process; the whole setup (`setup_telemetry` with no exporter,
the gateway's HTTP and command path, FastStream's consumers and publishers on the real
RabbitMQ) in a process of its own, `telemetry_probe.py`: the tracer provider is set once per
process, and the e2e suite sets the SDK's in this one.
"""

import asyncio
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.trace import NonRecordingSpan, SpanKind

from apex_runtime.telemetry import TraceIdsOnly, TraceIdsOnlyProvider

PROBE = Path(__file__).with_name("telemetry_probe.py")
HEX32 = re.compile(r"[0-9a-f]{32}")
CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER = f"00-{CALLER_TRACE}-b7ad6b7169203331-01"


def test_a_root_gets_fresh_valid_ids_and_records_nothing() -> None:
    tracer = TraceIdsOnlyProvider().get_tracer("t")
    spans = [tracer.start_span("root", context=context.Context()) for _ in range(1000)]
    assert all(type(s) is NonRecordingSpan and not s.is_recording() for s in spans)
    contexts = [s.get_span_context() for s in spans]
    assert all(c.is_valid and not c.is_remote and not c.trace_flags.sampled for c in contexts)
    assert len({c.trace_id for c in contexts}) == 1000
    assert len({c.span_id for c in contexts}) == 1000


def test_a_child_is_its_parent_no_new_span() -> None:
    tracer = TraceIdsOnly()
    carrier: dict[str, str] = {}
    with (
        tracer.start_as_current_span("root", context=context.Context()) as root,
        tracer.start_as_current_span("child", kind=SpanKind.PRODUCER) as child,
    ):
        assert child is root
        propagate.inject(carrier)  # what a publish inside the request carries
    root_context = root.get_span_context()
    assert carrier["traceparent"] == (
        f"00-{root_context.trace_id:032x}-{root_context.span_id:016x}-00"
    )


def test_a_span_continues_an_extracted_traceparent() -> None:
    tracer = TraceIdsOnly()
    parent = propagate.extract({"traceparent": CALLER})
    span = tracer.start_span("consume", context=parent)
    assert f"{span.get_span_context().trace_id:032x}" == CALLER_TRACE
    assert span is trace.get_current_span(parent)  # the extracted span itself, no new one


async def run_probe() -> dict[str, Any]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("APEX_OTLP_ENDPOINT", "APEX_TRACE_SAMPLE_RATIO", "APEX_SENTRY_DSN")
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(PROBE),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), 90)
    except TimeoutError:
        process.kill()
        raise
    assert process.returncode == 0, stderr.decode()[-4000:]
    return dict(json.loads(stdout.decode().strip().splitlines()[-1]))


def trace_id_of(envelope: dict[str, Any]) -> str:
    trace_id = envelope["trace"]["trace_id"]
    assert isinstance(trace_id, str) and HEX32.fullmatch(trace_id) and int(trace_id, 16)
    return trace_id


async def test_without_an_exporter_ids_travel_and_no_span_is_recorded() -> None:
    out = await run_probe()
    assert out["provider"] == "TraceIdsOnlyProvider"
    assert out["sdk_spans"] == 0  # the SDK's tracer was never asked for a span
    # the aiohttp instrumentation is not installed: `trace_requests` starts each trace
    assert out["application_class"] == "aiohttp.web_app.Application"

    # every request its own valid trace id, or the caller's
    echoes = out["echo"]
    assert all(
        e["body"]["result"] == {"recording": False, "span_type": "NonRecordingSpan"} for e in echoes
    )
    assert len({trace_id_of(e["body"]) for e in echoes}) == len(echoes)
    assert trace_id_of(out["echo_continued"]["body"]) == CALLER_TRACE
    # the same in the real gateway app, on an answer its guard gives (401, unauthenticated)
    gateway = out["gateway"]
    assert all(g["status"] == 401 for g in gateway), gateway
    assert len({trace_id_of(g["body"]) for g in gateway}) == len(gateway)
    assert trace_id_of(out["gateway_continued"]["body"]) == CALLER_TRACE

    # request → command (aio-pika, `traceparent` injected) → consumer → its event publish →
    # the event's consumer; with FastStream's RabbitTelemetryMiddleware (broker.py's) and with
    # TraceContextMiddleware (its replacement when nothing is exported)
    assert out["publish"]["status"] == 200
    request_trace = trace_id_of(out["publish"]["body"])
    assert set(out["seen"]) == {"telemetry", "trace_context"}
    for middleware, seen_by in out["seen"].items():
        for step in ("command", "event"):
            seen = seen_by[step]
            assert seen["trace_id"] == request_trace, (middleware, step, seen)
            assert seen["traceparent"].split("-")[1] == request_trace, (middleware, step, seen)
            assert seen["recording"] is False and seen["span_type"] == "NonRecordingSpan"

        # a publish outside any trace still starts one that its consumer continues
        untraced = seen_by["untraced"]
        assert HEX32.fullmatch(untraced["trace_id"]), (middleware, untraced)
        assert untraced["trace_id"] != request_trace, (middleware, untraced)
        assert untraced["traceparent"].split("-")[1] == untraced["trace_id"], (middleware, untraced)
