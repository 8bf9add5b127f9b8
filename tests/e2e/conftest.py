"""The whole system in this test process: every service and the gateway on the real broker,
database and Redis, with an in-memory span exporter so one trace can be followed."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points

import aiohttp
import pytest
from aiohttp import web
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from apex_gateway.app import create_app
from apex_gateway.auth import mint_token
from apex_projects.app import build as build_project_service
from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import Settings
from apex_runtime.telemetry import setup_telemetry

from .event_tap import EventTap
from .mailbox import Mailbox, running_mailbox

SPANS = InMemorySpanExporter()


@dataclass
class System:
    settings: Settings
    base_url: str
    services: dict[str, ServiceRuntime]
    app: web.Application
    mailbox: Mailbox
    events: EventTap  # every event published while the suite runs


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
async def system(settings: Settings) -> AsyncIterator[System]:
    # one SMTP server for the session: every submission in any test emails its PM
    mail = running_mailbox(settings.smtp_host, settings.smtp_port)
    mailbox = await mail.__aenter__()
    setup_telemetry("apex-tests", settings, extra_processors=(SimpleSpanProcessor(SPANS),))
    services = {
        ep.name: ep.load()(settings)
        for ep in sorted(entry_points(group="apex.services"), key=lambda ep: ep.name)
    }
    for runtime in services.values():
        await runtime.start()
    events = EventTap(settings.amqp_url)
    await events.start()
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.gateway_port).start()
    base_url = f"http://127.0.0.1:{settings.gateway_port}"
    yield System(settings, base_url, services, app, mailbox, events)
    await runner.cleanup()
    await events.stop()
    for runtime in services.values():
        await runtime.stop()
    await mail.__aexit__(None, None, None)


def bearer(
    settings: Settings, account: str = "demo", sub: str = "dev", roles: str = "admin"
) -> dict[str, str]:
    token = mint_token(settings, account, sub, roles.split(","))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def http(system: System) -> AsyncIterator[aiohttp.ClientSession]:
    """A client of account `demo` (user `dev`, admin): every request authenticated."""
    async with aiohttp.ClientSession(
        base_url=system.base_url, headers=bearer(system.settings)
    ) as session:
        yield session


@asynccontextmanager
async def client(system: System, headers: dict[str, str]) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=system.base_url, headers=headers) as session:
        yield session


@pytest.fixture
async def project_service_out_of_process(system: System) -> AsyncIterator[None]:
    """Hand the project queue to subprocesses for this test (`out_of_process`), then take it
    back."""
    await system.services["projects"].stop()
    yield
    runtime = build_project_service(system.settings)
    await runtime.start()
    system.services["projects"] = runtime
