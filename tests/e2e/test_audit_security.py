"""Refusals at the gateway's door reach the audit log as `security.*` events."""

import asyncio
import time
from typing import Any
from uuid import uuid4

import aiohttp

from apex_contracts import topology as t

from .conftest import System, bearer
from .gateways import gateway_processes


async def audit_entries(
    system: System, account: str, routing_key: str, match: dict[str, Any], wait_s: float = 10
) -> list[dict[str, Any]]:
    """The account's `routing_key` entries whose payload has `match`, waiting up to `wait_s`
    for one."""
    headers = bearer(system.settings, account=account, sub="auditor", roles="admin")
    deadline = time.monotonic() + wait_s
    async with aiohttp.ClientSession(base_url=system.base_url, headers=headers) as http:
        while True:
            async with http.get("/audit", params={"type": routing_key, "limit": "500"}) as r:
                assert r.status == 200, await r.text()
                items = (await r.json())["result"]["items"]
            found = [e for e in items if all(e["payload"].get(k) == v for k, v in match.items())]
            if found or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.2)


async def test_an_authentication_failure_is_recorded_without_the_credential(
    system: System,
) -> None:
    path = f"/projects/{uuid4()}"
    junk = {"Authorization": "Bearer not.a.jwt"}
    async with (
        aiohttp.ClientSession(base_url=system.base_url) as anonymous,
        anonymous.get(path, headers=junk) as r,
    ):
        assert r.status == 401
    entries = await audit_entries(system, t.SECURITY_ACCOUNT, t.AUTH_FAILED, {"path": path})
    assert len(entries) == 1, entries
    entry = entries[0]
    assert entry["account"] == t.SECURITY_ACCOUNT
    assert entry["payload"]["credential"] == "bearer"
    assert entry["payload"]["method"] == "GET"
    assert entry["payload"]["client_ip"] == "127.0.0.1"
    assert entry["payload"]["reason"]
    assert "not.a.jwt" not in str(entry)  # the presented credential is never recorded
    # a tenant never sees it
    assert await audit_entries(system, "demo", t.AUTH_FAILED, {"path": path}) == []


async def test_a_rate_limit_refusal_is_recorded_in_the_callers_account(system: System) -> None:
    sub = f"flood-{uuid4().hex[:6]}"
    me = bearer(system.settings, sub=sub)
    statuses = []
    async with (
        gateway_processes([18092], rate_limit_per_min="10", rate_limit_burst="1") as (url,),
        aiohttp.ClientSession(headers=me) as session,
    ):
        for _ in range(4):
            async with session.get(url + "/projects?limit=1") as r:
                statuses.append(r.status)
    assert statuses == [200, 200, 429, 429], statuses
    entries = await audit_entries(system, "demo", t.RATE_LIMITED, {"actor": sub})
    assert len(entries) == 2, entries
    assert {e["actor"] for e in entries} == {sub}
    assert all(e["payload"]["bucket"] == f"demo:{sub}" for e in entries)
    assert all(1 <= e["payload"]["retry_after_s"] <= 6 for e in entries)
