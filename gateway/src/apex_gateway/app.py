"""Gateway wiring: dependencies, middlewares and every route, in one place."""

import asyncio

from aiohttp import web

from apex_runtime.amqp_client import BrokerClient
from apex_runtime.db import make_engine
from apex_runtime.heartbeat import beat_forever
from apex_runtime.redis_pool import redis_client
from apex_runtime.settings import Settings
from apex_runtime.status_store import StatusStore
from apex_runtime.telemetry import trace_requests, traceparent_header

from .admission import Admission
from .auth import Authenticator, TokenVerifier
from .ceilings import Ceiling, raise_open_files_limit
from .cors import make_cors
from .deps import DEPS, Deps
from .guard import TrustedProxies, make_guard
from .keys import ApiKeyStore
from .middlewares import errors_as_envelopes, measured
from .routes import (
    admin,
    audit,
    console,
    docs,
    documents,
    projects,
    signage,
    system,
    tasks,
    webhooks,
)
from .security_events import SecurityEvents
from .waiter import TaskWaiter

MAX_BODY_BYTES = 1024 * 1024
# each declares its routes and their operations on its `api` (apex_gateway.call.Api)
ROUTE_MODULES = (
    projects, tasks, audit, signage, system, docs, webhooks, documents, admin, console,
)  # fmt: skip
OPERATIONS = tuple(op for module in ROUTE_MODULES for op in module.api.operations)


def create_app(settings: Settings) -> web.Application:
    """The aiohttp application; call `setup_telemetry` before this (instrumentation order)."""
    redis = redis_client(settings, "gateway")
    status = StatusStore(redis, settings.task_ttl_s)
    engine = make_engine(settings)
    keys = ApiKeyStore(engine, settings.api_key_pepper.get_secret_value())
    admission = Admission(
        redis, settings.rate_limit_per_min, settings.rate_limit_burst, settings.idempotency_ttl_s
    )
    broker = BrokerClient(
        settings.amqp_url,
        "apex-gateway",
        confirm_timeout_s=settings.command_confirm_timeout_s,
        probe_flow=True,
    )
    security = SecurityEvents(broker)
    deps = Deps(
        settings=settings,
        broker=broker,
        redis=redis,
        status=status,
        waiter=TaskWaiter(redis, status),
        engine=engine,
        keys=keys,
        security=security,
        streams=Ceiling("sse_streams", settings.max_sse_streams, "event streams"),
        waits=Ceiling("waits", settings.max_waits, "waiting requests"),
        commands=Ceiling("commands_in_flight", settings.max_commands_in_flight, "commands"),
        open_files=raise_open_files_limit(),
    )
    guard = make_guard(
        Authenticator(TokenVerifier(settings), keys),
        admission,
        TrustedProxies(settings.csv("trusted_proxies")),
        security,
    )
    app = web.Application(
        middlewares=[
            trace_requests,  # first: every envelope, log line and command carries its trace id
            errors_as_envelopes,
            measured,
            make_cors(settings.csv("cors_allow_origins")),
            guard,
        ],
        client_max_size=MAX_BODY_BYTES,
    )
    app[DEPS] = deps
    for module in ROUTE_MODULES:
        app.router.add_routes(module.api.routes)
    app[docs.ALL_OPERATIONS] = OPERATIONS
    app.on_response_prepare.append(traceparent_header)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
    return app


HEARTBEAT = web.AppKey("heartbeat", asyncio.Task[None])


async def _start(app: web.Application) -> None:
    deps = app[DEPS]
    await deps.broker.start()
    await deps.waiter.start()
    deps.security.start()
    checks = system.readiness_checks(deps)
    app[HEARTBEAT] = asyncio.create_task(beat_forever(deps.redis, "gateway", checks))


async def _stop(app: web.Application) -> None:
    deps = app[DEPS]
    app[HEARTBEAT].cancel()
    await asyncio.wait([app[HEARTBEAT]], timeout=2.0)
    await deps.waiter.stop()
    await deps.security.stop()
    await deps.broker.close()
    await deps.redis.aclose()
    await deps.engine.dispose()
