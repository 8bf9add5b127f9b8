"""The signage queries through the gateway: answers, assumptions, bad input, the answer cache."""

import math
import random
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest
from redis.asyncio import Redis

from apex_contracts.queries import QueryReply
from apex_contracts.tasks import ErrorCode
from apex_runtime.amqp_client import BrokerClient
from apex_signage.app import VERSION_KEY, VERSION_STAMP, publish_version

from .conftest import System, bearer, client
from .gateways import gateway_processes

SITE = {"wind_speed_mph": 115, "exposure": "C"}
SIGN = {"overall_height_ft": 20, "cabinets": [{"width_ft": 8, "height_ft": 4}], "site": SITE}
DERIVE = "/signage/common/cabinets/derive"
POLES = "/signage/common/poles/options"
FOOTING = "/signage/direct_burial/footing/solve"
YARDS = "/signage/common/concrete/yards"
DESIGN = "/signage/single_pole/design"


async def post(
    http: aiohttp.ClientSession, path: str, body: Any
) -> tuple[int, dict[str, Any], str, bytes]:
    """Status, envelope, Cache-Status and the raw body of a POST (a str body is sent as is)."""
    data = body.encode() if isinstance(body, str) else orjson.dumps(body)
    headers = {"Content-Type": "application/json"}
    async with http.post(path, data=data, headers=headers) as response:
        raw = await response.read()
        return response.status, orjson.loads(raw), response.headers.get("Cache-Status", ""), raw


def fresh_loads() -> dict[str, Any]:
    """A poles request no earlier test (or run) has cached."""
    return {"height_ft": 20, "loads": {"M_kipin": round(random.uniform(300, 900), 6)}}


def without_trace_id(raw: bytes) -> bytes:
    return re.sub(rb'"trace_id":"[0-9a-f]*"', b'"trace_id":""', raw)


@pytest.fixture
async def redis(system: System) -> AsyncIterator[Redis]:
    """The test Redis, with signage-service's version stamp as it writes it at start-up."""
    connection = Redis.from_url(system.settings.redis_url)
    await publish_version(connection, replace=True)
    yield connection
    await publish_version(connection, replace=True)
    await connection.aclose()


# --- each endpoint -----------------------------------------------------------------------


async def test_cabinets_derive_gives_wind_actions_and_puts_assumptions_in_the_envelope(
    http: aiohttp.ClientSession,
) -> None:
    status, body, _, _ = await post(http, DERIVE, SIGN)
    assert status == 200, body
    result = body["result"]
    assert result["A_ft2"] == 32.0 and result["z_cg_ft"] == 18.0
    assert result["weight_estimate_lb"] == 320.0  # 32 ft² at the default 10 psf
    assert result["Kz"] > 0 and result["qh_psf"] > 0 and result["Mu_kipin"] > 0
    assert result["T_kipft"] > 0  # Case B's eccentric load
    assert body["assumptions"] == result["assumptions"]
    assert any("ASCE 7-16" in a for a in body["assumptions"])
    assert result["trace"]["inputs"]["overall_height_ft"] == 20.0


async def test_cabinets_derive_without_a_site_gives_geometry_only(
    http: aiohttp.ClientSession,
) -> None:
    status, body, _, _ = await post(http, DERIVE, {k: v for k, v in SIGN.items() if k != "site"})
    assert status == 200, body
    assert body["result"]["A_ft2"] == 32.0 and body["result"]["qh_psf"] is None


async def test_pole_options_ranks_the_catalogue_and_recommends_the_first(
    http: aiohttp.ClientSession,
) -> None:
    status, body, _, _ = await post(http, POLES, {"height_ft": 20, "sign": SIGN})
    assert status == 200, body
    result = body["result"]
    assert result["options"] and result["recommended"] == result["options"][0]
    assert result["feasible_count"] >= len(result["options"])
    assert result["catalogue_version"] and result["code_version"]
    weights = [o["weight_plf"] for o in result["options"]]
    assert weights == sorted(weights)  # sort_by weight, the default
    assert all(o["passes"] and o["utilization"] <= 1.0 for o in result["options"])
    assert body["assumptions"] == result["assumptions"]


async def test_footing_solve_gives_the_ibc_depth_with_its_iterations(
    http: aiohttp.ClientSession,
) -> None:
    request = {"P_lbf": 1000, "h_ft": 15, "diameter_ft": 2, "soil": {"soil_class": 4}}
    status, body, _, _ = await post(http, FOOTING, request)
    assert status == 200, body
    result = body["result"]
    assert result["min_depth_ft"] > 0 and result["min_depth_in"] == pytest.approx(
        12 * result["min_depth_ft"], abs=0.5
    )
    assert result["iterations"] and result["concrete_yards"] > 0
    assert any("1807.3.2.1" in a for a in body["assumptions"])


async def test_concrete_yards_is_the_cylinder_volume(http: aiohttp.ClientSession) -> None:
    status, body, _, _ = await post(http, YARDS, {"diameter_ft": 2, "depth_ft": 5, "count": 3})
    assert status == 200, body
    assert body["result"]["cubic_yards"] == round(math.pi * 2**2 / 4 * 5 * 3 / 27, 2)


async def test_single_pole_design_chains_loads_pole_and_footing(
    http: aiohttp.ClientSession,
) -> None:
    request = {"sign": SIGN, "soil": {"soil_class": 4}, "footing": {"diameter_ft": 2.5}}
    status, body, _, _ = await post(http, DESIGN, request)
    assert status == 200, body
    result = body["result"]
    assert result["pole"]["designation"] and result["pole"]["passes"]
    assert result["sign"]["Mu_kipin"] > 0 and result["footing"]["min_depth_ft"] > 0
    assert body["assumptions"] == result["assumptions"]


async def test_a_viewer_may_ask_and_an_anonymous_caller_may_not(system: System) -> None:
    async with client(system, bearer(system.settings, roles="viewer")) as viewer:
        status, _, _, _ = await post(viewer, YARDS, {"diameter_ft": 2, "depth_ft": 5})
    assert status == 200
    async with client(system, {}) as anonymous:
        status, _, _, _ = await post(anonymous, YARDS, {"diameter_ft": 2, "depth_ft": 5})
    assert status == 401


# --- aluminum ----------------------------------------------------------------------------


async def test_aluminum_above_15_ft_is_a_422_that_says_why(http: aiohttp.ClientSession) -> None:
    request = {"height_ft": 20, "material": "aluminum", "loads": {"M_kipin": 100}}
    status, body, _, _ = await post(http, POLES, request)
    assert status == 422
    [error] = body["errors"]
    assert error["field"] == "material" and error["type"] == "aluminum_height"
    assert "15 ft" in error["message"] and "Aluminum Design Manual" in error["message"]

    design = {
        "sign": SIGN,
        "material": "aluminum",
        "soil": {"soil_class": 4},
        "footing": {"diameter_ft": 2},
    }
    status, body, _, _ = await post(http, DESIGN, design)
    assert status == 422 and body["errors"][0]["field"] == "material"


async def test_aluminum_up_to_15_ft_is_answered_with_the_reason_no_option_is_offered(
    http: aiohttp.ClientSession,
) -> None:
    request = {"height_ft": 12, "material": "aluminum", "loads": {"M_kipin": 100}}
    status, body, _, _ = await post(http, POLES, request)
    assert status == 200, body
    assert body["result"]["options"] == [] and body["result"]["recommended"] is None
    assert any("Aluminum Design Manual" in a for a in body["assumptions"])


# --- no feasible section -----------------------------------------------------------------


async def test_no_feasible_section_is_an_empty_answer_naming_the_required_strength(
    http: aiohttp.ClientSession,
) -> None:
    status, body, _, _ = await post(http, POLES, {"height_ft": 20, "loads": {"M_kipin": 99_000}})
    assert status == 200, body
    result = body["result"]
    assert result["options"] == [] and result["recommended"] is None
    assert result["feasible_count"] == 0 and result["evaluated_count"] > 0
    assert any("No section passes" in a and "99000" in a for a in body["assumptions"])


# --- bad input ---------------------------------------------------------------------------

TEN_THOUSAND = [{"width_ft": 1, "height_ft": 1}] * 10_000
BAD_INPUT = [
    ("negative width", DERIVE, {**SIGN, "cabinets": [{"width_ft": -8, "height_ft": 4}]},
     "cabinets.0.width_ft", "out_of_range"),
    ("zero height", DERIVE, {**SIGN, "overall_height_ft": 0}, "overall_height_ft",
     "out_of_range"),
    ("exposure E", DERIVE, {**SIGN, "site": {**SITE, "exposure": "E"}}, "site.exposure",
     "literal_error"),
    ("500 ft pole", POLES, {"height_ft": 500, "loads": {"M_kipin": 100}}, "height_ft",
     "out_of_range"),
    ("300 mph", POLES, {"height_ft": 20, "sign": {**SIGN, "site": {**SITE, "wind_speed_mph": 300}}},
     "sign.site.wind_speed_mph", "out_of_range"),
    ("NaN", DERIVE, orjson.dumps(SIGN).decode().replace("20", "NaN", 1), "overall_height_ft",
     "finite_number"),
    ("Infinity", POLES, '{"height_ft": 20, "loads": {"M_kipin": Infinity}}', "loads.M_kipin",
     "finite_number"),
    ("10,000 cabinets", DERIVE, {**SIGN, "cabinets": TEN_THOUSAND}, "cabinets", "too_long"),
    ("unknown family", POLES, {"height_ft": 20, "loads": {"M_kipin": 100},
     "prefs": {"family": ["pipe", "wood"]}}, "prefs.family.1", "literal_error"),
    ("neither loads nor sign", POLES, {"height_ft": 20}, "", "loads_or_sign"),
    ("negative diameter", FOOTING, {"P_lbf": 1000, "h_ft": 15, "diameter_ft": -2,
     "soil": {"soil_class": 4}}, "diameter_ft", "out_of_range"),
    ("soil class 6", FOOTING, {"P_lbf": 1000, "h_ft": 15, "diameter_ft": 2,
     "soil": {"soil_class": 6}}, "soil.soil_class", "less_than_equal"),
    ("zero depth", YARDS, {"diameter_ft": 2, "depth_ft": 0}, "depth_ft", "out_of_range"),
    ("a string for a number", YARDS, {"diameter_ft": "2", "depth_ft": 5}, "diameter_ft",
     "float_type"),
    ("an unknown field", YARDS, {"diameter_ft": 2, "depth_ft": 5, "colour": "red"}, "colour",
     "extra_forbidden"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "field", "kind"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
async def test_bad_input_is_a_422_naming_the_field(
    http: aiohttp.ClientSession, path: str, body: Any, field: str, kind: str
) -> None:
    status, envelope, cache_status, _ = await post(http, path, body)
    assert status == 422, envelope
    assert envelope["result"] is None and envelope["confidence"] == 0.0
    assert {"field": field, "type": kind} in [
        {"field": e["field"], "type": e["type"]} for e in envelope["errors"]
    ], envelope["errors"]
    assert all(e["message"] for e in envelope["errors"])
    assert cache_status == ""  # refused before the cache or the service was asked


async def test_signage_service_validates_again_when_asked_directly(system: System) -> None:
    broker = BrokerClient(system.settings.amqp_url, "test-signage")
    await broker.connect()
    try:
        reply: QueryReply = await broker.query(
            "signage.poles.options",
            orjson.dumps({"height_ft": 500, "loads": {"M_kipin": -1}}),
            headers={},
            timeout_s=5,
        )
    finally:
        await broker.close()
    assert not reply.ok and reply.error is not None
    assert reply.error.code is ErrorCode.INVALID
    assert {f["field"] for f in reply.error.fields} == {"height_ft", "loads.M_kipin"}


# --- the answer cache --------------------------------------------------------------------


async def test_a_repeated_request_is_a_cache_hit_with_a_byte_identical_answer(
    http: aiohttp.ClientSession, redis: Redis
) -> None:
    request = fresh_loads()
    status, first, miss, raw_first = await post(http, POLES, request)
    assert status == 200, first
    assert miss == "apex; fwd=miss; stored"
    # the same request written differently (key order, 20 for 20.0, defaults spelled out)
    same = {"loads": request["loads"], "height_ft": 20.0, "num_poles": 1, "material": "steel"}
    status, second, hit, raw_second = await post(http, POLES, same)
    assert status == 200
    assert re.fullmatch(r"apex; hit; ttl=(\d+)", hit) and 3500 < int(hit.rsplit("=", 1)[1]) <= 3600
    assert without_trace_id(raw_second) == without_trace_id(raw_first)
    assert second["assumptions"] == first["assumptions"] == first["result"]["assumptions"]


@pytest.mark.parametrize("changed", ["catalogue_version", "code_version"])
async def test_a_new_version_stamp_invalidates_cached_answers(
    http: aiohttp.ClientSession, redis: Redis, changed: str
) -> None:
    request = fresh_loads()
    await post(http, POLES, request)
    assert (await post(http, POLES, request))[2].startswith("apex; hit")
    versions = orjson.loads(VERSION_STAMP)
    versions[changed] += "-next"
    await redis.set(VERSION_KEY, orjson.dumps(versions, option=orjson.OPT_SORT_KEYS))

    status, _, after, _ = await post(http, POLES, request)
    assert status == 200
    # computed afresh; the running service is still the old version, so its answer is kept
    # under that version, not under the new stamp
    assert after == "apex; fwd=miss; stored; detail=version-mismatch"
    assert (await post(http, POLES, request))[2].startswith("apex; fwd=miss")

    await redis.set(VERSION_KEY, VERSION_STAMP)  # back to the version that is running
    assert (await post(http, POLES, request))[2].startswith("apex; hit")


async def test_without_a_version_stamp_answers_are_computed_and_not_stored(
    http: aiohttp.ClientSession, redis: Redis
) -> None:
    request = fresh_loads()
    await redis.delete(VERSION_KEY)
    status, _, cache_status, _ = await post(http, POLES, request)
    assert status == 200 and cache_status == "apex; fwd=miss; detail=version-unknown"

    await publish_version(redis, replace=False)  # what signage-service does every 30 s
    assert await redis.get(VERSION_KEY) == VERSION_STAMP
    assert (await post(http, POLES, request))[2] == "apex; fwd=miss; stored"


@pytest.mark.slow
async def test_redis_down_the_answer_is_computed_not_failed(
    system: System, http: aiohttp.ClientSession
) -> None:
    request = {"height_ft": 20, "sign": SIGN}
    status, _, _, raw_with_redis = await post(http, POLES, request)
    assert status == 200
    async with (
        gateway_processes([18096], probe="/health", redis_url="redis://127.0.0.1:1/0") as (url,),
        aiohttp.ClientSession(base_url=url, headers=bearer(system.settings)) as no_redis,
    ):
        status, body, cache_status, raw = await post(no_redis, POLES, request)
    assert status == 200, body
    assert cache_status == "apex; fwd=bypass; detail=redis-unavailable"
    assert without_trace_id(raw) == without_trace_id(raw_with_redis)
