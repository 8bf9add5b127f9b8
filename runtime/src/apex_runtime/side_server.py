"""Each service's small HTTP server: `/health`, `/ready` (checks its connections), `/metrics`."""

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .telemetry import current_trace_id

Check = Callable[[], Awaitable[object]]


def envelope_body(
    result: object,
    errors: list[dict[str, str]] | None = None,
    assumptions: list[str] | None = None,
) -> dict[str, object]:
    """The JSON envelope (schema `Envelope` in /openapi.json), the one shape every service and the
    gateway answer in."""
    return {
        "result": result,
        "errors": errors or [],
        "assumptions": assumptions or [],
        "confidence": 0.0 if errors else 1.0,
        "trace": {"trace_id": current_trace_id()},
    }


async def run_checks(checks: dict[str, Check], timeout_s: float = 2.0) -> dict[str, str]:
    """Each check's outcome: "ok" or the error it raised."""

    async def one(check: Check) -> str:
        try:
            await asyncio.wait_for(check(), timeout_s)
        except Exception as exc:  # a readiness probe reports, it never raises
            return f"error: {type(exc).__name__}: {exc}"[:200]
        return "ok"

    names = list(checks)
    outcomes = await asyncio.gather(*(one(checks[n]) for n in names))
    return dict(zip(names, outcomes, strict=True))


async def readiness(
    service: str, checks: dict[str, Check], assumptions: list[str] | None = None
) -> tuple[int, dict[str, object]]:
    """`/ready`: 200 when every check passes, else 503 with one error per failing check;
    `assumptions` note what is ready but limited."""
    outcomes = await run_checks(checks)
    ok = all(v == "ok" for v in outcomes.values())
    errors = [
        {"field": name, "message": v, "type": "unavailable"}
        for name, v in outcomes.items()
        if v != "ok"
    ]
    body = envelope_body({"service": service, "ready": ok, "checks": outcomes}, errors, assumptions)
    return (200 if ok else 503), body


async def _nothing_to_collect() -> None:
    return None


def side_app(
    service: str,
    checks: dict[str, Check],
    collect: Callable[[], Awaitable[None]] = _nothing_to_collect,
) -> web.Application:
    """The side server; `collect` updates the gauges read at scrape time before `/metrics`."""

    async def health(_: web.Request) -> web.Response:
        return web.json_response(envelope_body({"service": service, "status": "ok"}))

    async def ready(_: web.Request) -> web.Response:
        status, body = await readiness(service, checks)
        return web.json_response(body, status=status)

    async def metrics(_: web.Request) -> web.Response:
        await collect()
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_get("/ready", ready)
    app.router.add_get("/metrics", metrics)
    return app
