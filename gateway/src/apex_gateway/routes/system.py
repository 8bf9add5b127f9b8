"""`/health`, `/ready`, `/version`, `/metrics`."""

from importlib.metadata import version

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from apex_runtime.side_server import Check, readiness

from ..call import Api
from ..commands import BROKER_BLOCKED
from ..deps import Deps, deps_of
from ..envelope import respond
from ..openapi import Operation

api = Api()
OPEN_FILES_SPARE = 512  # beyond the long-lived clients: short requests, Redis, RabbitMQ, logs


@api.public(Operation("get", "/health", "Liveness", None))
async def health(_: web.Request) -> web.Response:
    return respond({"service": "gateway", "status": "ok"})


def readiness_checks(deps: Deps) -> dict[str, Check]:
    """What the gateway needs to take commands: `/ready` and its heartbeat run these."""

    async def broker() -> None:
        if not deps.broker.connected:
            raise ConnectionError("not connected to RabbitMQ")
        stopped = deps.broker.stopped()  # commands are refused while this holds
        if stopped is not None:
            raise ConnectionError(str(stopped))

    async def redis() -> None:
        await deps.redis.ping()

    return {"broker": broker, "redis": redis}


@api.public(Operation("get", "/ready", "Readiness: broker and Redis", None, errors=(503,)))
async def ready(request: web.Request) -> web.Response:
    deps = deps_of(request)
    needed = deps.settings.max_sse_streams + deps.settings.max_waits + OPEN_FILES_SPARE
    limited = []
    if deps.open_files < needed:  # ready, but the ceilings cannot all be reached
        limited.append(
            f"open files: the soft limit {deps.open_files} is below the {needed} that"
            " APEX_MAX_SSE_STREAMS and APEX_MAX_WAITS need; raise `ulimit -n`"
        )
    status, body = await readiness("gateway", readiness_checks(deps), limited)
    return web.json_response(body, status=status)


@api.public(Operation("get", "/version", "The gateway's version", None))
async def show_version(_: web.Request) -> web.Response:
    return respond({"service": "gateway", "version": version("apex-gateway")})


@api.routes.get("/metrics")  # Prometheus text, not in the API document
async def metrics(request: web.Request) -> web.Response:
    BROKER_BLOCKED.set(1 if deps_of(request).broker.blocked() else 0)  # read at each scrape
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})
