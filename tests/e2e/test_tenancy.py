"""Two accounts walk every endpoint: neither sees nor touches the other's data."""

import aiohttp

from .conftest import System, bearer, client
from .helpers import audit_types, call, create_project

WAIT = {"Prefer": "wait=10"}


async def test_another_account_finds_nothing_anywhere(
    system: System, http: aiohttp.ClientSession
) -> None:
    project_id = await create_project(http, "tenant-a-secret")
    status, body, _ = await call(
        http,
        "POST",
        f"/projects/{project_id}/payload",
        json={"module": "signage.single_pole", "config": {"a": 1}},
        headers=WAIT,
    )
    assert status == 200, body
    task_id = body["result"]["task_id"]
    await audit_types(http, project_id, {"project.created", "project.payload_saved"})

    async with client(system, bearer(system.settings, account="other", sub="eve")) as eve:
        for method, path, kwargs in [
            ("GET", f"/projects/{project_id}", {}),
            ("GET", f"/projects/{project_id}/payload", {}),
            ("GET", f"/tasks/{task_id}", {}),
            ("DELETE", f"/tasks/{task_id}", {}),
            (
                "PUT",
                f"/projects/{project_id}",
                {"json": {"name": "x", "customer": "y"}, "headers": {"If-Match": '"1"', **WAIT}},
            ),
            ("DELETE", f"/projects/{project_id}", {"headers": WAIT}),
            (
                "POST",
                f"/projects/{project_id}/payload",
                {"json": {"module": "signage.single_pole", "config": {}}, "headers": WAIT},
            ),
        ]:
            status, body, _ = await call(eve, method, path, **kwargs)
            assert status == 404, (method, path, body)
            assert "tenant-a-secret" not in str(body)

        status, body, _ = await call(eve, "GET", "/projects?q=tenant-a-secret&limit=500")
        assert status == 200 and body["result"]["items"] == []
        status, body, _ = await call(eve, "GET", f"/audit?project_id={project_id}")
        assert status == 200
        # eve sees only her own refused attempts (commands are audited), nothing of account demo
        assert all(e["account"] == "other" for e in body["result"]["items"])
        assert "tenant-a-secret" not in str(body)

    # and nothing changed for the owner
    status, body, _ = await call(http, "GET", f"/projects/{project_id}")
    assert status == 200 and body["result"]["version"] == 1
