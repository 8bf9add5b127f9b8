"""Every error as an envelope, never a stack trace; request counts and latency."""

import functools
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import Counter, Histogram

from apex_runtime.redis_pool import RedisBusy

from .ceilings import busy
from .envelope import ApiError, http_error, respond

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CLIENT_LEFT = 499  # as nginx logs a request its client closed; never sent, only counted

REQUESTS = Counter("apex_gateway_requests_total", "HTTP requests", ["route", "status"])
LATENCY = Histogram("apex_gateway_request_seconds", "HTTP request latency", ["route"])


@web.middleware
async def errors_as_envelopes(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()
    except RedisBusy as exc:  # every Redis connection stayed in use: our ceiling, not an outage
        return busy("redis_pool", f"{exc}; retry shortly").response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return http_error(exc)
    except ConnectionResetError:  # the client left mid-answer (a stream): nobody to answer
        log.info("client left during %s %s", request.method, request.path)
        _count_of(_route_name(request), CLIENT_LEFT).inc()  # `measured` saw only the exception
        return web.Response(status=CLIENT_LEFT)
    except Exception:
        log.exception("unhandled error", extra={"path": request.path})
        return respond(
            status=500,
            errors=[{"field": "", "message": "internal error; it was logged", "type": "internal"}],
        )


@web.middleware
async def measured(request: web.Request, handler: Handler) -> web.StreamResponse:
    name = _route_name(request)
    started = time.perf_counter()
    response = await handler(request)
    _latency_of(name).observe(time.perf_counter() - started)
    _count_of(name, response.status).inc()
    return response


def _route_name(request: web.Request) -> str:
    route = request.match_info.route.resource
    return route.canonical if route is not None else "unmatched"


# A labelled child looked up once per route and status (a bounded set: routes are declared,
# statuses few) instead of on every request (`labels()` takes a lock and builds a tuple).
@functools.cache
def _latency_of(route: str) -> Histogram:
    return LATENCY.labels(route)


@functools.cache
def _count_of(route: str, status: int) -> Counter:
    return REQUESTS.labels(route, str(status))
