"""OpenTelemetry and Sentry, set up once per process before any app object exists."""

import logging

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from .settings import Settings

log = logging.getLogger(__name__)
_configured = False


def setup_telemetry(
    service: str, settings: Settings, extra_processors: tuple[SpanProcessor, ...] = ()
) -> None:
    """Install the tracer provider and instrument aiohttp, asyncpg and Redis (idempotent).

    With nothing exported (no OTLP endpoint, no extra processor, no sample ratio given), the
    per-statement asyncpg and Redis instrumentation is left out: its spans would never be
    recorded, yet its wrapper runs around every call (~4% of the gateway's CPU per command
    in a py-spy profile; within the noise of a throughput benchmark).
    """
    global _configured
    if _configured:
        return
    _configured = True
    # Without an exporter nothing would read the spans: sample none (trace ids still flow, so
    # logs, envelopes and documents keep them), which takes about a quarter off each request.
    exporting = bool(settings.otlp_endpoint or extra_processors)
    ratio = (
        settings.trace_sample_ratio if settings.trace_sample_ratio is not None else float(exporting)
    )
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
    trace.set_tracer_provider(provider)

    # The aiohttp server instrumentation must run before any web.Application is created.
    from opentelemetry.instrumentation.aiohttp_server import AioHttpServerInstrumentor
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    AioHttpServerInstrumentor().instrument()
    if ratio > 0:  # a span per SQL statement and Redis command only when some are kept
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
    log.info("telemetry ready", extra={"otlp": bool(settings.otlp_endpoint)})


def current_trace_id() -> str | None:
    """The trace id of the active span as 32 hex digits, if any."""
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None
