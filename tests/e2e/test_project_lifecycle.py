"""A project's whole life through the gateway, against the real services."""

import asyncio
from uuid import uuid4

import aiohttp

from .helpers import audit_types, call, create_project, task_done

WAIT = {"Prefer": "wait=10"}


async def test_create_get_update_delete_with_audit_trail(http: aiohttp.ClientSession) -> None:
    status, body, headers = await call(
        http,
        "POST",
        "/projects",
        json={
            "name": "Main St pylon",
            "customer": "Acme",
            "site": {"wind_speed_mph": 115, "exposure": "C"},
        },
    )
    assert status == 202, body
    accepted = body["result"]
    project_id = accepted["project_id"]
    assert headers["Location"] == f"/tasks/{accepted['task_id']}" == accepted["status_url"]
    task = await task_done(http, accepted["task_id"])
    assert task["state"] == "SUCCESS" and task["attempts"] == 1
    assert task["result"]["project_id"] == project_id

    status, body, headers = await call(http, "GET", f"/projects/{project_id}")
    assert status == 200
    assert body["result"]["name"] == "Main St pylon"
    assert body["result"]["site"]["exposure"] == "C"
    assert headers["ETag"] == '"1"'

    status, body, _ = await call(http, "GET", "/projects?q=Main St&limit=500")
    assert project_id in [p["project_id"] for p in body["result"]["items"]]

    stale = {"If-Match": '"7"', **WAIT}
    status, body, _ = await call(
        http, "PUT", f"/projects/{project_id}", json={"name": "B", "customer": "C"}, headers=stale
    )
    assert status == 412, body
    assert body["errors"][0]["type"] == "version_conflict"

    fresh = {"If-Match": '"1"', **WAIT}
    status, body, _ = await call(
        http,
        "PUT",
        f"/projects/{project_id}",
        json={"name": "Main St pylon 2", "customer": "Acme"},
        headers=fresh,
    )
    assert status == 200, body
    assert body["result"]["result"]["version"] == 2

    status, body, _ = await call(http, "DELETE", f"/projects/{project_id}", headers=WAIT)
    assert status == 200, body

    status, body, _ = await call(http, "GET", f"/projects/{project_id}")
    assert status == 404
    assert body["errors"][0]["type"] == "not_found"

    types = await audit_types(
        http, project_id, {"project.created", "project.updated", "project.deleted"}
    )
    assert types.count("project.updated") == 1  # the stale update left no trace
    assert types[0] == "project.deleted"  # newest first


async def test_list_pages_with_cursor_over_more_than_50_projects(
    http: aiohttp.ClientSession,
) -> None:
    marker = uuid4().hex[:8]
    created = set(
        await asyncio.gather(*(create_project(http, f"page-{marker}-{i}") for i in range(60)))
    )
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = f"/projects?q=page-{marker}" + (f"&cursor={cursor}" if cursor else "")
        status, body, _ = await call(http, "GET", query)
        assert status == 200, body
        seen += [p["project_id"] for p in body["result"]["items"]]
        pages += 1
        cursor = body["result"]["next_cursor"]
        if cursor is None:
            break
    assert pages == 2  # default limit 50: 50 then 10
    assert len(seen) == len(set(seen)) == 60
    assert set(seen) == created


async def test_payload_is_versioned_and_fingerprinted(http: aiohttp.ClientSession) -> None:
    project_id = await create_project(http)
    status, body, _ = await call(http, "GET", f"/projects/{project_id}/payload")
    assert status == 404
    config = {"sign": {"overall_height_ft": 20}, "b": [1, 2]}
    for expected_version in (1, 2):
        status, body, _ = await call(
            http,
            "POST",
            f"/projects/{project_id}/payload",
            json={"module": "signage.single_pole", "config": config},
            headers=WAIT,
        )
        assert status == 200, body
        assert body["result"]["result"]["payload_version"] == expected_version
    status, body, _ = await call(http, "GET", f"/projects/{project_id}/payload")
    assert status == 200
    latest = body["result"]
    assert latest["payload_version"] == 2 and latest["config"] == config
    # SHA-256 of the canonical JSON: sorted keys, no spaces
    import hashlib

    canonical = b'{"b":[1,2],"sign":{"overall_height_ft":20}}'
    assert latest["sha256"] == hashlib.sha256(canonical).hexdigest()
    await audit_types(http, project_id, {"project.created", "project.payload_saved"})
