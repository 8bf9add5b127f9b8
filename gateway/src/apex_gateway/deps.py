"""The gateway's dependencies, created once in `app.py` and handed to every route."""

from dataclasses import dataclass

from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from apex_runtime.amqp_client import BrokerClient
from apex_runtime.settings import Settings
from apex_runtime.status_store import StatusStore

from .ceilings import Ceiling
from .keys import ApiKeyStore
from .security_events import SecurityEvents
from .waiter import TaskWaiter


@dataclass
class Deps:
    settings: Settings
    broker: BrokerClient
    redis: Redis
    status: StatusStore
    waiter: TaskWaiter
    engine: AsyncEngine
    keys: ApiKeyStore
    security: SecurityEvents
    streams: Ceiling  # concurrent SSE streams
    waits: Ceiling  # concurrent `?wait=N` and `Prefer: wait`
    commands: Ceiling  # commands between admission and RabbitMQ's confirm
    open_files: int  # the soft RLIMIT_NOFILE in force


DEPS = web.AppKey("deps", Deps)


def deps_of(request: web.Request) -> Deps:
    return request.app[DEPS]
