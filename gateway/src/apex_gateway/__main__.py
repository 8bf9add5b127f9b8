"""`python -m apex_gateway`: serve the HTTP API until SIGTERM."""

import uvloop
from aiohttp import web

from apex_runtime.collector import freeze_startup_heap
from apex_runtime.logs import setup_logging
from apex_runtime.settings import Settings, get_settings
from apex_runtime.telemetry import setup_telemetry

from .app import create_app


def prepare() -> Settings:
    """Settings, JSON logs and telemetry: before the app exists (instrumentation order)."""
    settings = get_settings()
    setup_logging("gateway", settings.log_level)
    setup_telemetry("gateway", settings)
    return settings


async def _started(app: web.Application) -> None:
    freeze_startup_heap()


def serve(settings: Settings, app: web.Application) -> None:
    app.on_startup.append(_started)  # the last start-up hook: everything is built by then
    web.run_app(
        app,
        loop=uvloop.new_event_loop(),
        host=settings.gateway_host,
        port=settings.gateway_port,
        access_log=None,
        shutdown_timeout=settings.shutdown_grace_s,
        print=None,
    )


if __name__ == "__main__":
    settings = prepare()
    serve(settings, create_app(settings))
