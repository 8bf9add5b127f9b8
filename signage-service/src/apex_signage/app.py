"""signage-service wiring: the five engineering queries, each answered by a pure function.

The engineering is CPU-bound (about a millisecond a query), so it runs on one worker thread
and the event loop stays free for heartbeats, health checks and replies. At start-up the
catalogue is loaded before anything is consumed, and the service writes the version stamp the
gateway's answer cache is keyed by (catalogue and code version: a new one invalidates).
"""

import logging
from typing import Any

import orjson
from faststream.rabbit import RabbitQueue
from faststream.rabbit.annotations import RabbitMessage
from redis.asyncio import Redis
from redis.exceptions import RedisError

from apex_contracts import signage as c
from apex_contracts import topology as t
from apex_runtime.broker import QUERIES, query_queue
from apex_runtime.queries import answer
from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import Settings

from . import (
    CATALOGUE_VERSION,
    CODE_VERSION,
    concrete_yards,
    derive_cabinets,
    design_single_pole,
    pole_options,
    solve_footing,
    warm_up,
)

log = logging.getLogger(__name__)

SERVICE = "signage-service"
# The gateway reads this key and builds the same stamp from the versions a reply carries:
# the JSON object of the reply's version fields, keys sorted, no spaces.
VERSION_KEY = t.cache_version_key("signage")
VERSION_STAMP = orjson.dumps(
    {"catalogue_version": CATALOGUE_VERSION, "code_version": CODE_VERSION},
    option=orjson.OPT_SORT_KEYS,
)
STAMP_REFRESH_S = 30.0  # a restarted (empty) Redis gets the stamp back within this


async def publish_version(redis: Redis, *, replace: bool) -> None:
    """Write this build's version stamp; without `replace`, only where it is missing.

    A new build takes the stamp over at start-up; the periodic refresh only restores a stamp
    a Redis restart lost, so two builds running side by side do not keep flipping it.
    """
    try:
        await redis.set(VERSION_KEY, VERSION_STAMP, nx=not replace)
    except RedisError:
        log.warning("could not write the cache version stamp; answers go uncached", exc_info=True)


def build(settings: Settings) -> ServiceRuntime:
    rt = ServiceRuntime(SERVICE, settings, settings.signage_port, with_db=False)
    broker, engineering = rt.broker, rt.worker_thread("engineering")

    async def load_catalogue() -> None:
        sections = warm_up()  # the catalogue and every capacity, before the first query
        log.info("catalogue loaded", extra={"sections": sections, "version": CATALOGUE_VERSION})
        await publish_version(rt.redis, replace=True)

    async def restore_version() -> None:
        await publish_version(rt.redis, replace=False)

    rt.on_start(load_catalogue)
    rt.add_loop(restore_version, every_s=STAMP_REFRESH_S)

    def queue(routing_key: str) -> RabbitQueue:
        return query_queue(SERVICE, routing_key, settings)

    @broker.subscriber(queue(t.SIGNAGE_CABINETS_DERIVE), QUERIES)
    async def on_cabinets_derive(query: c.CabinetsDeriveRequest, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: engineering.run(derive_cabinets, query))

    @broker.subscriber(queue(t.SIGNAGE_POLES_OPTIONS), QUERIES)
    async def on_poles_options(query: c.PolesOptionsRequest, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: engineering.run(pole_options, query))

    @broker.subscriber(queue(t.SIGNAGE_FOOTING_SOLVE), QUERIES)
    async def on_footing_solve(query: c.FootingSolveRequest, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: engineering.run(solve_footing, query))

    @broker.subscriber(queue(t.SIGNAGE_CONCRETE_YARDS), QUERIES)
    async def on_concrete_yards(query: c.ConcreteYardsRequest, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: engineering.run(concrete_yards, query))

    @broker.subscriber(queue(t.SIGNAGE_SINGLE_POLE_DESIGN), QUERIES)
    async def on_single_pole_design(query: c.SinglePoleDesignRequest, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: engineering.run(design_single_pole, query))

    return rt
