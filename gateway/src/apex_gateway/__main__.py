"""`python -m apex_gateway`: serve the HTTP API until SIGTERM."""

import uvloop
from aiohttp import web

from apex_runtime.logs import setup_logging
from apex_runtime.settings import get_settings
from apex_runtime.telemetry import setup_telemetry

from .app import create_app

settings = get_settings()
setup_logging("gateway", settings.log_level)
setup_telemetry("gateway", settings)
web.run_app(
    create_app(settings),
    loop=uvloop.new_event_loop(),
    host=settings.gateway_host,
    port=settings.gateway_port,
    access_log=None,
    shutdown_timeout=settings.shutdown_grace_s,
    print=None,
)
