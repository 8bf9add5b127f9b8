"""The whole system in this test process: every service and the gateway on the real broker,
database and Redis, with an in-memory span exporter so one trace can be followed."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib.metadata import entry_points

import aiohttp
import pytest
from aiohttp import web
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from apex_gateway.app import create_app
from apex_runtime import cli
from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import Settings
from apex_runtime.telemetry import setup_telemetry

SPANS = InMemorySpanExporter()


@dataclass
class System:
    settings: Settings
    base_url: str
    services: dict[str, ServiceRuntime]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
async def system(settings: Settings) -> AsyncIterator[System]:
    await asyncio.to_thread(cli.main, ["db", "migrate"])
    setup_telemetry("apex-tests", settings, extra_processors=(SimpleSpanProcessor(SPANS),))
    services = {
        ep.name: ep.load()(settings)
        for ep in sorted(entry_points(group="apex.services"), key=lambda ep: ep.name)
    }
    for runtime in services.values():
        await runtime.start()
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.gateway_port).start()
    yield System(settings, f"http://127.0.0.1:{settings.gateway_port}", services)
    await runner.cleanup()
    for runtime in services.values():
        await runtime.stop()


@pytest.fixture
async def http(system: System) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=system.base_url) as session:
        yield session
