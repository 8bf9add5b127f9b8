"""Redis clients whose pool waits for a free connection instead of failing at once.

redis-py's default pool raises `MaxConnectionsError` the moment every connection is in use. At
a few hundred waiting clients that was a `500`, and the rate limiter took it for Redis being
down. Here a caller waits up to `APEX_REDIS_POOL_TIMEOUT_S` for a connection. One that waits
longer gets `RedisBusy`, which is deliberately not a `RedisError`: the code that answers for a
Redis that is really down (connection refused or timed out) never sees it. The gateway answers
it as its own ceiling (`503` with `Retry-After`, counted), and the services keep a report they
could not write, as they do when Redis is down.
"""

import time
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ConnectionError, RedisError

from .settings import Settings

IN_USE = Gauge("apex_redis_pool_connections", "Connections of the Redis pool", ["pool", "state"])
WAITS = Counter(
    "apex_redis_pool_waits_total", "Checkouts that found every connection in use", ["pool"]
)
WAITED = Histogram(
    "apex_redis_pool_wait_seconds",
    "How long a checkout that had to wait waited",
    ["pool"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10),
)
TIMEOUTS = Counter(
    "apex_redis_pool_timeouts_total", "Checkouts that waited out the timeout", ["pool"]
)


class RedisBusy(Exception):
    """Every connection of the pool stayed in use for the whole wait: Redis is up."""


# "Redis cannot take this now", where the work can wait or be dropped (a service's report, a
# best-effort write of the gateway after its answer is decided).
REDIS_UNAVAILABLE: tuple[type[Exception], ...] = (RedisError, RedisBusy)


class WaitingPool(BlockingConnectionPool):
    """A blocking pool that tells its own exhaustion apart and counts its waits."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name
        IN_USE.labels(name, "in_use").set_function(lambda: len(self._in_use_connections))
        IN_USE.labels(name, "idle").set_function(lambda: len(self._available_connections))

    async def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        if self.can_get_connection():
            return await super().get_connection(*args, **kwargs)  # type: ignore[no-untyped-call]
        WAITS.labels(self.name).inc()
        started = time.monotonic()
        try:
            return await super().get_connection(*args, **kwargs)  # type: ignore[no-untyped-call]
        except ConnectionError as exc:
            if not isinstance(exc.__cause__, TimeoutError):
                raise  # a real connection failure: Redis is down or unreachable
            TIMEOUTS.labels(self.name).inc()
            raise RedisBusy(
                f"all {self.max_connections} Redis connections stayed in use for {self.timeout:g} s"
            ) from exc
        finally:
            WAITED.labels(self.name).observe(time.monotonic() - started)


def redis_client(settings: Settings, name: str) -> Redis:
    """The process's Redis client: `APEX_REDIS_MAX_CONNECTIONS` connections at most, and a
    checkout waits up to `APEX_REDIS_POOL_TIMEOUT_S` for one (metrics under label `name`)."""
    pool = WaitingPool.from_url(
        settings.redis_url,
        name=name,
        max_connections=settings.redis_max_connections,
        timeout=settings.redis_pool_timeout_s,
    )
    return Redis.from_pool(pool)  # closes the pool with the client
