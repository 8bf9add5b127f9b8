"""Authentication and roles at the gateway: JWTs, API keys, 401 and 403."""

from uuid import uuid4

import aiohttp
import jwt

from apex_gateway.deps import DEPS

from .conftest import System, bearer, client
from .helpers import call, create_project


async def test_no_credentials_is_401_with_a_challenge(system: System) -> None:
    async with client(system, {}) as anonymous:
        status, body, headers = await call(anonymous, "GET", "/projects")
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert body["errors"][0]["type"] == "unauthorized"
    assert "RateLimit" in headers


async def test_forged_and_malformed_tokens_are_401(system: System) -> None:
    unsigned = jwt.encode(
        {
            "sub": "x",
            "account": "demo",
            "roles": ["admin"],
            "exp": 9999999999,
            "iss": "apex",
            "aud": "apex-api",
        },
        None,  # type: ignore[arg-type]
        algorithm="none",
    )
    for header in (f"Bearer {unsigned}", "Bearer not.a.token", "Basic ZGV2OmRldg==", "Bearer "):
        async with client(system, {"Authorization": header}) as caller:
            status, body, headers = await call(caller, "GET", "/projects")
        assert status == 401, (header, body)
        assert "WWW-Authenticate" in headers


async def test_health_and_metrics_need_no_credentials(system: System) -> None:
    async with client(system, {}) as anonymous:
        for path in ("/health", "/ready", "/version"):
            status, _, _ = await call(anonymous, "GET", path)
            assert status == 200, path


async def test_viewer_reads_but_cannot_write(system: System, http: aiohttp.ClientSession) -> None:
    project_id = await create_project(http)
    async with client(system, bearer(system.settings, roles="viewer")) as viewer:
        status, _, _ = await call(viewer, "GET", f"/projects/{project_id}")
        assert status == 200
        status, body, _ = await call(
            viewer, "POST", "/projects", json={"name": "A", "customer": "B"}
        )
        assert status == 403
        assert body["errors"][0]["type"] == "forbidden"
        status, _, _ = await call(viewer, "DELETE", f"/projects/{project_id}")
        assert status == 403


async def test_no_role_at_all_is_403(system: System) -> None:
    async with client(system, bearer(system.settings, roles="")) as nobody:
        status, _, _ = await call(nobody, "GET", "/projects")
    assert status == 403


async def test_api_key_works_until_revoked(system: System) -> None:
    store = system.app[DEPS].keys
    account = f"keys-{uuid4().hex[:6]}"
    key, record = await store.create(account, "ci script", ["engineer"])
    async with client(system, {"x-apex-key": key}) as script:
        status, body, _ = await call(
            script,
            "POST",
            "/projects",
            json={"name": "By key", "customer": "C"},
            headers={"Prefer": "wait=10"},
        )
        assert status == 201, body
        project = body["result"]["result"]
        assert project["account"] == account
        assert project["created_by"] == f"key:{record.key_id}"
        assert await store.revoke(record.key_id)
        status, _, _ = await call(script, "GET", "/projects")
        assert status == 401
    for wrong in (key[:-1] + ("A" if key[-1] != "A" else "B"), "apex_nope_nope", "garbage"):
        async with client(system, {"x-apex-key": wrong}) as forger:
            status, _, _ = await call(forger, "GET", "/projects")
            assert status == 401, wrong


async def test_keys_are_stored_only_as_hashes(system: System) -> None:
    store = system.app[DEPS].keys
    key, record = await store.create("hash-check", "k", ["viewer"])
    secret = key.split("_")[2]
    async with system.app[DEPS].engine.connect() as conn:
        from sqlalchemy import text

        row = (
            (
                await conn.execute(
                    text("SELECT * FROM gateway.api_keys WHERE key_id = :k"), {"k": record.key_id}
                )
            )
            .mappings()
            .one()
        )
    assert secret not in str(dict(row))
    assert row["secret_hash"] == store.digest(secret)


BELOW = {"viewer": "", "engineer": "viewer", "admin": "engineer"}


async def test_every_operation_refuses_the_role_below_its_own(system: System) -> None:
    """The role each operation declares is the one its route checks: one rung below it is a
    403 on every documented operation, before anything is read or sent."""
    from apex_gateway.routes.docs import ALL_OPERATIONS

    checked = 0
    for op in system.app[ALL_OPERATIONS]:
        if op.role is None:
            continue
        path = op.path
        for name in ("project_id", "task_id", "webhook_id", "delivery_id", "dead_letter_id"):
            path = path.replace("{" + name + "}", str(uuid4()))
        path = path.replace("{document_id}", "0" * 64)
        async with client(system, bearer(system.settings, roles=BELOW[op.role])) as lower:
            status, body, _ = await call(lower, op.method.upper(), path, json={})
        assert status == 403, (op.method, op.path, status, body)
        assert body["errors"][0]["message"] == f"this needs the {op.role} role", op.path
        checked += 1
    assert checked >= 30
