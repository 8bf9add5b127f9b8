"""`/signage`: the engineering queries of signage-service, answered from the cache when possible.

Each body is validated here with the same contract model the service validates it with, so a
bad request is a `422` with field paths before anything is asked. The reply's assumptions also
go into the envelope's `assumptions`; `Cache-Status` (RFC 9211) says whether it was cached.
"""

import json
from typing import Any

from aiohttp import web
from orjson import Fragment

from apex_contracts import signage as c
from apex_contracts import topology as t

from ..cache import CACHE_NAME, Cached, answer_cache, canonical
from ..call import Api, Call
from ..envelope import ApiError, read_json, respond
from ..openapi import Operation
from ..queries import ask
from ..validation import validated

api = Api()

_ERRORS = (400, 408, 413, 415, 422, 503, 504)


@api.operation(
    Operation("post", "/signage/common/cabinets/derive",
              "Sign area, centroids, weight and (with a site) ASCE 7-16 ch. 29 wind actions",
              "viewer", c.CabinetsDeriveReply, c.CabinetsDeriveRequest, errors=_ERRORS),
)  # fmt: skip
async def derive_cabinets(call: Call) -> web.Response:
    return await _answer(call, t.SIGNAGE_CABINETS_DERIVE)


@api.operation(
    Operation("post", "/signage/common/poles/options",
              "Rank the AISC catalogue's poles for loads or a sign (AISC 360-16 F7/F8)",
              "viewer", c.PolesOptionsReply, c.PolesOptionsRequest, errors=_ERRORS),
)  # fmt: skip
async def pole_options(call: Call) -> web.Response:
    return await _answer(call, t.SIGNAGE_POLES_OPTIONS)


@api.operation(
    Operation("post", "/signage/direct_burial/footing/solve",
              "Minimum embedment of a direct-burial footing (IBC 2018 §1807.3.2)",
              "viewer", c.FootingSolveReply, c.FootingSolveRequest, errors=_ERRORS),
)  # fmt: skip
async def solve_footing(call: Call) -> web.Response:
    return await _answer(call, t.SIGNAGE_FOOTING_SOLVE)


@api.operation(
    Operation("post", "/signage/common/concrete/yards", "Concrete volume of round footings",
              "viewer", c.ConcreteYardsReply, c.ConcreteYardsRequest, errors=_ERRORS),
)  # fmt: skip
async def concrete_yards(call: Call) -> web.Response:
    return await _answer(call, t.SIGNAGE_CONCRETE_YARDS)


@api.operation(
    Operation("post", "/signage/single_pole/design",
              "Sign → wind loads → recommended pole → footing, in one answer",
              "viewer", c.SinglePoleDesignReply, c.SinglePoleDesignRequest, errors=_ERRORS),
)  # fmt: skip
async def design_single_pole(call: Call) -> web.Response:
    return await _answer(call, t.SIGNAGE_SINGLE_POLE_DESIGN)


async def _answer(call: Call, query_key: str) -> web.Response:
    """Validate, answer from the cache, else ask signage-service and keep its answer."""
    request_model = c.QUERIES[query_key][0]
    query = validated(request_model, await _body(call))
    key = canonical(query.model_dump(mode="json"))
    cache = answer_cache(call.deps.redis)
    found = await cache.lookup(query_key, key)
    if found.hit is not None:
        return _respond(found.hit, found.status)
    try:
        reply = await ask(call, query_key, query)
    except ApiError as exc:
        forwarded = "miss" if found.available else "bypass"
        exc.headers = {**(exc.headers or {}), "Cache-Status": f"{CACHE_NAME}; fwd={forwarded}"}
        raise
    answer = Cached.of_reply(reply)
    return _respond(answer, await cache.store(query_key, key, found, answer, reply))


def _respond(answer: Cached, cache_status: str) -> web.Response:
    # the stored bytes are served as they are: the same request gets a byte-identical result
    return respond(
        Fragment(answer.result),
        assumptions=answer.assumptions,
        headers={"Cache-Status": cache_status},
    )


async def _body(call: Call) -> Any:
    """The JSON body; NaN and Infinity are read too, so validation names their field (422)."""
    try:
        return await read_json(call.request, call.deps.settings.body_timeout_s)
    except ApiError as exc:
        if exc.status != 400:
            raise
        try:  # the standard library reads NaN/Infinity, which orjson refuses outright
            return json.loads(await call.request.read())  # the body was read once and kept
        except (ValueError, RecursionError):
            raise exc from None
