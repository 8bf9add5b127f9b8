"""OpenTelemetry and Sentry, set up once per process before any app object exists."""

import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from faststream import BaseMiddleware
from faststream.message import StreamMessage
from opentelemetry import context as context_api
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import NonRecordingSpan, NoOpTracer, Span, SpanContext, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util import types

from .settings import Settings

log = logging.getLogger(__name__)
_configured = False
_exporting = False
_tracer = trace.get_tracer(__name__)
_W3C = TraceContextTextMapPropagator()  # FastStream's own middleware propagates this alone


class TraceIdsOnly(NoOpTracer):
    """Spans that record nothing and cost next to nothing, yet every trace still has an id.

    A span with a parent (the current span, or one extracted from a `traceparent`) *is* that
    parent: no object is made, and what is published carries the parent's `traceparent`. A
    root gets a span context of random ids (as the SDK's `RandomIdGenerator` makes them, flags
    "not sampled"), so each HTTP request and each untraced message still starts a trace of
    its own: its id is in the envelope, the logs, the documents and the headers it publishes.
    """

    def start_span(
        self,
        name: str,
        context: context_api.Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: types.Attributes = None,
        links: Sequence[trace.Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> Span:
        parent = trace.get_current_span(context)
        parent_context = parent.get_span_context()
        if isinstance(parent, NonRecordingSpan) and parent_context.is_valid:
            return parent
        if parent_context.is_valid:  # a recording span handed in by its context
            return NonRecordingSpan(parent_context)
        trace_id = random.getrandbits(128) or 1  # all zeros is the invalid id
        span_id = random.getrandbits(64) or 1
        return NonRecordingSpan(SpanContext(trace_id, span_id, is_remote=False))


class TraceIdsOnlyProvider(trace.TracerProvider):
    """The tracer provider when nothing would read a span: `TraceIdsOnly` for everyone."""

    _tracer = TraceIdsOnly()

    def get_tracer(
        self,
        instrumenting_module_name: str,
        instrumenting_library_version: str | None = None,
        schema_url: str | None = None,
        attributes: types.Attributes = None,
    ) -> trace.Tracer:
        return self._tracer


def setup_telemetry(
    service: str, settings: Settings, extra_processors: tuple[SpanProcessor, ...] = ()
) -> None:
    """Install the tracer provider and, when spans are exported, the aiohttp, asyncpg and
    Redis instrumentation (idempotent; before any web.Application exists).

    With nothing exported (no OTLP endpoint, no extra span processor) the SDK is left out and
    no span is recorded: `TraceIdsOnlyProvider` keeps trace ids and `traceparent` headers
    flowing (the W3C propagator is the API's default and stays installed), and the apps'
    `trace_requests` middleware starts each request's trace. The instrumentation is left out
    too: its wrappers run around every request, SQL statement and Redis command (the asyncpg
    and Redis ones ~4% of the gateway's CPU per command in a py-spy profile) for nobody.
    """
    global _configured, _exporting
    if _configured:
        return
    _configured = True
    exporting = _exporting = bool(settings.otlp_endpoint or extra_processors)
    if not exporting:
        trace.set_tracer_provider(TraceIdsOnlyProvider())
    else:
        ratio = settings.trace_sample_ratio if settings.trace_sample_ratio is not None else 1.0
        trace.set_tracer_provider(_sdk_provider(service, settings, extra_processors, ratio))
        from opentelemetry.instrumentation.aiohttp_server import AioHttpServerInstrumentor

        AioHttpServerInstrumentor().instrument()  # patches web.Application: before any exists
        if ratio > 0:  # a span per SQL statement and Redis command only when some are kept
            from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
            from opentelemetry.instrumentation.redis import RedisInstrumentor

            AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]
            RedisInstrumentor().instrument()

    if settings.sentry_dsn:
        import sentry_sdk

        sentry_sdk.init(
            dsn=settings.sentry_dsn,
            environment=settings.environment,
            server_name=service,
            traces_sample_rate=0.0,
        )
    log.info("telemetry ready", extra={"otlp": bool(settings.otlp_endpoint), "spans": exporting})


def _sdk_provider(
    service: str, settings: Settings, extra_processors: tuple[SpanProcessor, ...], ratio: float
) -> TracerProvider:
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}),
        sampler=ParentBased(TraceIdRatioBased(ratio)),
    )
    for processor in extra_processors:
        provider.add_span_processor(processor)
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


TRACEPARENT = web.RequestKey("traceparent", str)  # the request's own W3C `traceparent`


def _traceparent() -> str | None:
    """The current span as a W3C `traceparent` value (version 00)."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


@web.middleware
async def trace_requests(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Each request in its own trace, or in the caller's if it sent a `traceparent`; the
    response carries the request's own `traceparent` (`traceparent_header`).

    Without an exporter, `setup_telemetry` leaves out the aiohttp server instrumentation: its
    middleware collects a dozen span and metric attributes per request that nothing reads
    (~40 µs per request). This one only starts the span, which `TraceIdsOnly` makes a bare
    trace id. When the instrumentation is installed its middleware runs first and its span is
    current already, so this one only steps aside.
    """
    if trace.get_current_span().get_span_context().is_valid:
        request[TRACEPARENT] = _traceparent() or ""
        return await handler(request)
    parent = propagate.extract(request.headers) if "traceparent" in request.headers else None
    with _tracer.start_as_current_span("HTTP request", context=parent, kind=SpanKind.SERVER):
        request[TRACEPARENT] = _traceparent() or ""
        return await handler(request)


async def traceparent_header(request: web.Request, response: web.StreamResponse) -> None:
    """`on_response_prepare`: every response, streams included, names the request's trace
    (a plain response is prepared after the middlewares returned, so the value is kept on the
    request rather than read from the current span)."""
    value = request.get(TRACEPARENT)
    if value:
        response.headers["traceparent"] = value


def spans_exported() -> bool:
    """Whether `setup_telemetry` installed an exporter, so spans are recorded."""
    return _exporting


def producer_span(name: str, attributes: dict[str, str]) -> contextlib.AbstractContextManager[Any]:
    """The PRODUCER span a publish runs in when spans are exported, as the current span.

    Without an exporter there is nothing to enter: `TraceIdsOnly` would hand back the current
    span itself, so the message carries the same `traceparent` either way (`inject_trace`),
    and the attach, detach and attribute calls are skipped (~10 µs per command).
    """
    if not _exporting:
        return contextlib.nullcontext()
    return _tracer.start_as_current_span(name, kind=SpanKind.PRODUCER, attributes=attributes)


def inject_trace(carrier: dict[str, Any]) -> None:
    """The current trace context into a message's headers: every installed propagator when
    spans are exported, W3C's `traceparent` alone otherwise (all the services read)."""
    if _exporting:
        propagate.inject(carrier)
    else:
        _W3C.inject(carrier)


class TraceContextMiddleware(BaseMiddleware):
    """FastStream middleware carrying only the W3C trace context, for when no span is exported.

    What `RabbitTelemetryMiddleware` does that anyone sees without an exporter: a consumer runs
    in the trace of the message's `traceparent` (or a new one), and a publish carries the
    current trace's `traceparent` (or a new one's). Its span and metric attributes, its
    baggage and its context-repository scopes are left out: in a micro-benchmark, ~25 µs of
    CPU per consumed message against ~9 µs here, ~16 µs per publish against ~5.5 µs. Pass the
    class itself as a broker middleware, in place of `RabbitTelemetryMiddleware()` when
    `spans_exported()` is false.
    """

    async def consume_scope(
        self, call_next: Callable[[StreamMessage[Any]], Awaitable[Any]], msg: StreamMessage[Any]
    ) -> Any:
        headers = msg.headers or {}
        parent = _W3C.extract(headers) if "traceparent" in headers else None
        span = _tracer.start_span("consume", context=parent, kind=SpanKind.CONSUMER)
        token = context_api.attach(trace.set_span_in_context(span, parent))
        try:
            return await call_next(msg)
        finally:
            context_api.detach(token)

    async def publish_scope(self, call_next: Callable[[Any], Awaitable[Any]], cmd: Any) -> Any:
        span = _tracer.start_span("publish", kind=SpanKind.PRODUCER)  # the current span, if any
        if cmd.headers is None:
            cmd.headers = {}
        _W3C.inject(cmd.headers, context=trace.set_span_in_context(span))
        return await call_next(cmd)


def current_trace_id() -> str | None:
    """The trace id of the active span as 32 hex digits, if any."""
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None
