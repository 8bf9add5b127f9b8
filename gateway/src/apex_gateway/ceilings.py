"""The gateway's own ceilings, stated as settings: concurrent SSE streams, concurrent waits
(`?wait=N` and `Prefer: wait`), open files, and the Redis pool's wait.

Beyond a ceiling a request is answered `503` with `Retry-After` before any work is done (no
stream opened, no command sent), and counted in `apex_gateway_limited_total`. A command that
asks `Prefer: wait` when every wait is taken is not refused: the preference is declined (RFC
7240 lets a server ignore it) and the answer is the `202` it would get without one.
"""

import logging
import resource
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Gauge

from .envelope import ApiError

log = logging.getLogger(__name__)
RETRY_AFTER_S = 1

LIMITED = Counter(
    "apex_gateway_limited_total",
    "Requests a ceiling of the gateway refused (503) or served without waiting (202)",
    ["ceiling", "answer"],
)
IN_USE = Gauge("apex_gateway_ceiling_in_use", "Slots of a ceiling in use", ["ceiling"])
LIMIT = Gauge("apex_gateway_ceiling_limit", "A ceiling's size", ["ceiling"])


def busy(ceiling: str, message: str) -> ApiError:
    """503 + Retry-After for a ceiling of our own; `LIMITED` counts it."""
    LIMITED.labels(ceiling, "503").inc()
    return ApiError(503, message, type="busy", headers={"Retry-After": str(RETRY_AFTER_S)})


class Ceiling:
    """At most `limit` at once of one kind of long-lived request."""

    def __init__(self, name: str, limit: int, what: str) -> None:
        self.name = name
        self.limit = limit
        self.what = what  # e.g. "event streams", in the refusal
        self.in_use = 0
        IN_USE.labels(name).set_function(lambda: self.in_use)
        LIMIT.labels(name).set(limit)

    def try_enter(self) -> bool:
        if self.in_use >= self.limit:
            return False
        self.in_use += 1
        return True

    def leave(self) -> None:
        self.in_use -= 1

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for the block, or refuse with 503 before it runs."""
        if not self.try_enter():
            raise busy(
                self.name, f"this gateway holds {self.limit} {self.what} at once; retry shortly"
            )
        try:
            yield
        finally:
            self.leave()


def raise_open_files_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard one (each client holds a socket); the soft
    limit in force afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            log.warning("could not raise the open-files limit", extra={"soft": soft})
    return soft
