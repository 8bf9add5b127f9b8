"""What a service does once it is connected, and undoes when it stops."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)
Hook = Callable[[], Awaitable[None]]


class Lifecycle:
    """Start hooks in the order registered; stop hooks in reverse, within a grace period.

    A failing start hook fails the start. A stop hook that fails or overruns the grace period
    is logged, and the hooks after it still run."""

    def __init__(self, grace_s: float) -> None:
        self.grace_s = grace_s
        self._on_start: list[Hook] = []
        self._on_stop: list[Hook] = []

    def on_start(self, hook: Hook) -> None:
        self._on_start.append(hook)

    def on_stop(self, hook: Hook) -> None:
        self._on_stop.append(hook)

    async def start(self) -> None:
        for hook in self._on_start:
            await hook()

    async def stop(self) -> None:
        deadline = asyncio.get_running_loop().time() + self.grace_s
        for hook in reversed(self._on_stop):
            budget = asyncio.timeout_at(deadline)
            try:
                async with budget:
                    await hook()
            except Exception:
                if budget.expired():
                    log.warning(
                        "a stop hook overran the grace period",
                        extra={"hook": name_of(hook), "grace_s": self.grace_s},
                    )
                else:
                    log.exception("a stop hook failed", extra={"hook": name_of(hook)})


def name_of(function: Callable[..., object]) -> str:
    return getattr(function, "__qualname__", None) or repr(function)
