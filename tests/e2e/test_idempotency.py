"""Idempotency-Key: one effect per key, replays for retries, 409 and 422 for misuse."""

import asyncio
from collections import Counter
from uuid import uuid4

import aiohttp
import pytest

from apex_gateway.deps import DEPS

from .conftest import System, bearer, client
from .gateways import gateway_processes
from .helpers import call, task_done


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


@pytest.mark.slow
async def test_20_concurrent_identical_requests_make_one_project(
    system: System, http: aiohttp.ClientSession
) -> None:
    name = f"idem-{uuid4().hex}"
    key = f"create-{uuid4()}"
    headers = {**bearer(system.settings), **keyed(key)}

    async def post(url: str) -> tuple[int, dict[str, object], dict[str, str]]:
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                url + "/projects", json={"name": name, "customer": "Acme"}, headers=headers
            ) as r,
        ):
            return r.status, await r.json(), dict(r.headers)

    async with gateway_processes([18094, 18095]) as urls:
        answers = await asyncio.gather(*(post(urls[i % 2]) for i in range(20)))
    statuses = Counter(status for status, _, _ in answers)
    assert set(statuses) <= {202, 409}, statuses
    accepted = [(body, h) for status, body, h in answers if status == 202]
    assert len({b["result"]["task_id"] for b, _ in accepted}) == 1  # type: ignore[index]
    assert sum(1 for _, h in accepted if "Idempotent-Replayed" not in h) == 1
    task_id = accepted[0][0]["result"]["task_id"]  # type: ignore[index]
    assert (await task_done(http, task_id))["state"] == "SUCCESS"
    _status, body, _ = await call(http, "GET", f"/projects?q={name}")
    assert len(body["result"]["items"]) == 1


async def test_a_retry_gets_the_stored_answer(http: aiohttp.ClientSession) -> None:
    key = str(uuid4())
    first = await call(
        http, "POST", "/projects", json={"name": "R", "customer": "C"}, headers=keyed(key)
    )
    second = await call(
        http, "POST", "/projects", json={"name": "R", "customer": "C"}, headers=keyed(key)
    )
    assert first[0] == second[0] == 202
    assert first[1] == second[1]
    assert second[2]["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first[2]
    assert second[2]["Location"] == first[2]["Location"]


async def test_same_key_with_another_request_is_422(http: aiohttp.ClientSession) -> None:
    key = str(uuid4())
    status, _, _ = await call(
        http, "POST", "/projects", json={"name": "A", "customer": "C"}, headers=keyed(key)
    )
    assert status == 202
    status, body, _ = await call(
        http, "POST", "/projects", json={"name": "B", "customer": "C"}, headers=keyed(key)
    )
    assert status == 422
    assert body["errors"][0]["type"] == "idempotency_mismatch"


async def test_keys_are_scoped_to_the_principal(
    system: System, http: aiohttp.ClientSession
) -> None:
    key = str(uuid4())
    mine = await call(
        http, "POST", "/projects", json={"name": "S", "customer": "C"}, headers=keyed(key)
    )
    async with client(system, bearer(system.settings, sub="someone-else")) as other:
        theirs = await call(
            other, "POST", "/projects", json={"name": "S", "customer": "C"}, headers=keyed(key)
        )
    assert mine[0] == theirs[0] == 202
    assert mine[1]["result"]["project_id"] != theirs[1]["result"]["project_id"]
    assert "Idempotent-Replayed" not in theirs[2]


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
async def test_malformed_key_is_400(http: aiohttp.ClientSession, key: str) -> None:
    status, body, _ = await call(
        http, "POST", "/projects", json={"name": "A", "customer": "C"}, headers=keyed(key)
    )
    assert status == 400, body
    assert body["errors"][0]["field"] == "Idempotency-Key"


async def test_a_lost_record_still_gives_one_effect(
    system: System, http: aiohttp.ClientSession
) -> None:
    """Redis forgot the key: the derived message id makes project-service deduplicate."""
    key = str(uuid4())
    body = {"name": f"lost-{key}", "customer": "C"}
    status, first, _ = await call(
        http, "POST", "/projects", json=body, headers={**keyed(key), "Prefer": "wait=10"}
    )
    assert status == 201, first
    redis = system.app[DEPS].redis
    await redis.delete(*[k async for k in redis.scan_iter(match=f"apex:idem:*:{key}")])
    await redis.delete(f"apex:task:{first['result']['task_id']}")
    status, second, headers = await call(
        http, "POST", "/projects", json=body, headers={**keyed(key), "Prefer": "wait=10"}
    )
    assert status == 201, second
    assert "Idempotent-Replayed" not in headers
    assert second["result"]["result"]["project_id"] == first["result"]["result"]["project_id"]
    status, listing, _ = await call(http, "GET", f"/projects?q=lost-{key}")
    assert len(listing["result"]["items"]) == 1


async def test_get_ignores_the_key(http: aiohttp.ClientSession) -> None:
    status, _, headers = await call(http, "GET", "/projects?limit=1", headers=keyed("k"))
    assert status == 200 and "Idempotent-Replayed" not in headers
