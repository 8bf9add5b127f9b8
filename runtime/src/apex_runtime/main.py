"""`python -m <service>`: settings, logs and telemetry first, then the service until SIGTERM."""

from collections.abc import Callable

import uvloop

from .collector import freeze_startup_heap
from .logs import setup_logging
from .service import ServiceRuntime, serve_until_signalled
from .settings import Settings, get_settings
from .telemetry import setup_telemetry


def run_service(name: str, build: Callable[[Settings], ServiceRuntime]) -> None:
    settings = get_settings()
    setup_logging(name, settings.log_level)
    setup_telemetry(name, settings)

    async def main() -> None:
        runtime = build(settings)

        async def start() -> None:
            await runtime.start()
            freeze_startup_heap()

        await serve_until_signalled(start, runtime.stop)

    uvloop.run(main())
