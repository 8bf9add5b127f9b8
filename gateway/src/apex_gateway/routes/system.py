"""`/health`, `/ready`, `/version`, `/metrics`."""

from importlib.metadata import version

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from apex_runtime.side_server import Check, readiness

from ..commands import BROKER_BLOCKED
from ..deps import Deps, deps_of
from ..envelope import respond
from ..openapi import Operation

routes = web.RouteTableDef()
OPEN_FILES_SPARE = 512  # beyond the long-lived clients: short requests, Redis, RabbitMQ, logs

OPERATIONS = (
    Operation("get", "/health", "Liveness", None),
    Operation("get", "/ready", "Readiness: broker and Redis", None, errors=(503,)),
    Operation("get", "/version", "The gateway's version", None),
)


@routes.get("/health")
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


@routes.get("/ready")
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


@routes.get("/version")
async def show_version(_: web.Request) -> web.Response:
    return respond({"service": "gateway", "version": version("apex-gateway")})


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    BROKER_BLOCKED.set(1 if deps_of(request).broker.blocked() else 0)  # read at each scrape
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})
