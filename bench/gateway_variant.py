"""The real gateway with some of its guarantees switched off, to price each one (bench only).

`python bench/gateway_variant.py --without auth rate-limit` serves exactly what
`python -m apex_gateway` serves, except that the guard middleware is rebuilt with a fixed
principal in place of authentication and/or an always-yes admission in place of the Redis rate
limit. Idempotency costs nothing until a request carries an `Idempotency-Key`, so the load
generator switches it on (`--idempotency-keys`). Never used outside `bench/accept.py`.
"""

import argparse

from aiohttp import web

from apex_gateway.__main__ import prepare, serve
from apex_gateway.admission import Admission, Decision, TaskRead
from apex_gateway.app import create_app
from apex_gateway.auth import Authenticator, TokenVerifier
from apex_gateway.deps import DEPS
from apex_gateway.guard import TrustedProxies, make_guard
from apex_gateway.principal import Principal
from apex_runtime.redis_pipeline import Script
from apex_runtime.settings import Settings
from apex_runtime.status_store import _CREATE, NewTask, StatusStore

BENCH_PRINCIPAL = Principal("bench", "bench", frozenset({"engineer"}))


class Anonymous(Authenticator):
    """Everyone is the bench principal: no token is read."""

    def __init__(self) -> None:
        pass

    async def authenticate(self, request: web.Request) -> Principal:
        return BENCH_PRINCIPAL


class Unlimited(Admission):
    """Every request admitted without the rate limit; a command's task is still recorded (by
    the store's own create script, through the same auto-pipeline as the real admission, so
    the plain path does not pay a round trip per request that the real one shares) and a
    polled task still read."""

    def __init__(self, store: StatusStore, *limits: int) -> None:
        super().__init__(store.redis, *limits)
        self.store = store
        self._create = Script.of(_CREATE)

    async def admit(
        self,
        bucket: str,
        idempotency_key: str | None = None,
        fingerprint: str = "",
        task: NewTask | None = None,
    ) -> Decision:
        if task is not None:
            await self.redis.script(self._create, [task.key], [*task.args])
        return Decision(True, 0.0, self.per_min, 60.0)

    async def admit_read(self, bucket: str, task_id: str) -> tuple[Decision, TaskRead | None]:
        return Decision(True, 0.0, self.per_min, 60.0), TaskRead(*await self.store.raw(task_id))


def variant(settings: Settings, without: set[str]) -> web.Application:
    app = create_app(settings)
    deps = app[DEPS]
    limits = (settings.rate_limit_per_min, settings.rate_limit_burst, settings.idempotency_ttl_s)
    admission = (
        Unlimited(deps.status, *limits)
        if "rate-limit" in without
        else Admission(deps.redis, *limits)
    )
    authenticator = (
        Anonymous() if "auth" in without else Authenticator(TokenVerifier(settings), deps.keys)
    )
    guard = next(i for i, m in enumerate(app.middlewares) if m.__name__ == "guard")
    app.middlewares[guard] = make_guard(authenticator, admission, TrustedProxies([]), deps.security)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without", nargs="*", choices=("auth", "rate-limit"), default=[])
    args = parser.parse_args()
    settings = prepare()
    serve(settings, variant(settings, set(args.without)))


if __name__ == "__main__":
    main()
