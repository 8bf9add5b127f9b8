"""Bad requests get a clear error in the envelope and change nothing."""

import asyncio
import json
from uuid import uuid4

import aiohttp
import pytest
from multidict import CIMultiDict

from .conftest import System, bearer
from .helpers import audit_types, call, confirms_too_late, create_project, task_done

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        ({"customer": "Acme"}, "name", "missing"),
        ({"name": "", "customer": "Acme"}, "name", "string_too_short"),
        ({"name": "x" * 201, "customer": "Acme"}, "name", "string_too_long"),
        ({"name": "A", "customer": "Acme", "pm_email": "not-an-email"}, "pm_email", "value_error"),
        (
            {"name": "A", "customer": "Acme", "site": {"exposure": "E"}},
            "site.exposure",
            "literal_error",
        ),
        (
            {"name": "A", "customer": "Acme", "site": {"wind_speed_mph": 300}},
            "site.wind_speed_mph",
            "less_than_equal",
        ),
        ({"name": "A", "customer": "Acme", "owner": "someone else"}, "owner", "extra_forbidden"),
        (["not", "an", "object"], "", "model_type"),
    ],
)
async def test_invalid_create_is_422_with_field_path(
    http: aiohttp.ClientSession, body: object, field: str, kind: str
) -> None:
    status, envelope, _ = await call(http, "POST", "/projects", json=body)
    assert status == 422, envelope
    assert envelope["result"] is None
    assert {"field": field, "type": kind} in [
        {"field": e["field"], "type": e["type"]} for e in envelope["errors"]
    ]


async def test_non_json_body_is_400(http: aiohttp.ClientSession) -> None:
    status, envelope, _ = await call(
        http, "POST", "/projects", data=b"{name:", headers={"Content-Type": "application/json"}
    )
    assert status == 400
    assert envelope["errors"][0]["type"] == "json_invalid"


async def test_nan_is_refused(http: aiohttp.ClientSession) -> None:
    body = b'{"name": "A", "customer": "B", "site": {"wind_speed_mph": NaN}}'
    status, envelope, _ = await call(http, "POST", "/projects", data=body, headers=JSON)
    assert status == 400, envelope


async def test_put_without_if_match_is_428(http: aiohttp.ClientSession) -> None:
    project_id = await create_project(http)
    status, envelope, _ = await call(
        http, "PUT", f"/projects/{project_id}", json={"name": "A", "customer": "B"}
    )
    assert status == 428
    assert envelope["errors"][0]["field"] == "If-Match"


async def test_unknown_project_is_404_and_malformed_id_too(http: aiohttp.ClientSession) -> None:
    for project_id in (str(uuid4()), "not-a-uuid", "../etc/passwd"):
        status, envelope, _ = await call(http, "GET", f"/projects/{project_id}")
        assert status == 404, envelope
        assert envelope["errors"][0]["type"] == "not_found"


async def test_unknown_task_is_404(http: aiohttp.ClientSession) -> None:
    status, _envelope, _ = await call(http, "GET", f"/tasks/{uuid4()}")
    assert status == 404


async def test_limit_above_500_is_422(http: aiohttp.ClientSession) -> None:
    for limit in ("501", "0", "ten"):
        status, envelope, _ = await call(http, "GET", f"/projects?limit={limit}")
        assert status == 422, envelope
        assert envelope["errors"][0]["field"] == "limit"


async def test_damaged_cursor_is_422(http: aiohttp.ClientSession) -> None:
    status, envelope, _ = await call(http, "GET", "/projects?cursor=bm90LWEtY3Vyc29y")
    assert status == 422, envelope


async def test_oversized_payload_is_413(http: aiohttp.ClientSession) -> None:
    project_id = await create_project(http)
    config = {"blob": "x" * (300 * 1024)}
    status, envelope, _ = await call(
        http,
        "POST",
        f"/projects/{project_id}/payload",
        json={"module": "signage.single_pole", "config": config},
    )
    assert status == 413, envelope
    assert envelope["errors"][0]["field"] == "config"


async def test_body_over_one_mebibyte_is_413(http: aiohttp.ClientSession) -> None:
    status, envelope, _ = await call(
        http, "POST", "/projects", data=b"x" * (1024 * 1024 + 1), headers=JSON
    )
    assert status == 413, envelope


async def test_unknown_route_is_enveloped_404(http: aiohttp.ClientSession) -> None:
    status, envelope, headers = await call(http, "GET", "/nowhere")
    assert status == 404
    assert envelope["errors"][0]["type"] == "not_found"
    assert envelope["trace"]["trace_id"]
    assert "RateLimit" in headers and "RateLimit-Policy" in headers  # counted like any other


async def test_wrong_method_is_405_with_allow_and_rate_limit_fields(
    http: aiohttp.ClientSession,
) -> None:
    status, envelope, headers = await call(http, "PATCH", "/projects")
    assert status == 405, envelope
    assert envelope["errors"][0]["type"] == "method_not_allowed"
    assert set(headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert "RateLimit" in headers and "RateLimit-Policy" in headers


async def test_health_ready_version_in_envelope(http: aiohttp.ClientSession) -> None:
    for path in ("/health", "/ready", "/version"):
        status, envelope, _ = await call(http, "GET", path)
        assert status == 200, (path, envelope)
        assert set(envelope) == {"result", "errors", "assumptions", "confidence", "trace"}
    async with http.get("/metrics") as response:
        assert response.status == 200
        assert "apex_gateway_requests_total" in await response.text()


async def test_broker_unreachable_is_503_with_retry_after_never_202(
    system: System, http: aiohttp.ClientSession
) -> None:
    from .gateways import gateway_processes

    async with (
        gateway_processes([18096], probe="/health", amqp_url="amqp://guest:guest@127.0.0.1:1/") as (
            url,
        ),
        aiohttp.ClientSession(headers=bearer(system.settings)) as session,
    ):
        async with session.post(url + "/projects", json={"name": "A", "customer": "B"}) as r:
            body = await r.json()
            assert r.status == 503, body
            assert int(r.headers["Retry-After"]) > 0
            assert body["errors"][0]["type"] == "unavailable"
        async with session.get(url + "/projects") as r:
            assert r.status == 503
        async with session.get(url + "/ready") as r:
            assert r.status == 503
        # The refused attempt leaves nothing behind: a retry with the same key, once a gateway
        # reaches the broker, runs the command (the derived task id is not already final).
        retried = {"Idempotency-Key": f"retry-{uuid4()}"}
        draft = {"name": "Retried after 503", "customer": "B"}
        async with session.post(url + "/projects", json=draft, headers=retried) as r:
            assert r.status == 503
        status, body, _ = await call(
            http, "POST", "/projects", json=draft, headers={**retried, "Prefer": "wait=10"}
        )
        assert status == 201, body
        assert body["result"]["state"] == "SUCCESS"


async def test_a_command_sent_but_not_confirmed_in_time_is_504_with_its_task_never_503(
    system: System, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RabbitMQ has the command, but its confirm does not come in time (as on a connection the
    broker blocked): the answer is 504 `outcome_unknown` naming the task, which is kept and
    settles when the command is consumed; a retry with the same Idempotency-Key gets that
    answer again and sends no second command."""
    sent = confirms_too_late(monkeypatch)
    key = {"Idempotency-Key": f"unconfirmed-{uuid4()}"}
    draft = {"name": f"Unconfirmed {uuid4()}", "customer": "B"}
    status, body, loose = await call(http, "POST", "/projects", json=draft, headers=key)
    headers = CIMultiDict(loose)
    assert status == 504, body
    assert body["errors"][0]["type"] == "outcome_unknown"
    task_id = body["result"]["task_id"]
    assert headers["Location"] == f"/tasks/{task_id}" == body["result"]["status_url"]
    assert "Retry-After" not in headers
    again_status, again, _ = await call(http, "POST", "/projects", json=draft, headers=key)
    assert (again_status, again["result"]["task_id"]) == (504, task_id), again
    assert len(sent) == 1  # the retry was answered from the key, nothing published again
    monkeypatch.undo()
    task = await task_done(http, task_id)
    assert task["state"] == "SUCCESS", task
    project_id = task["result"]["project_id"]
    assert body["result"]["project_id"] == project_id  # what a 202 would have shown
    types = await audit_types(http, project_id, {"project.created"})
    assert types.count("project.created") == 1
    status, project, _ = await call(http, "GET", f"/projects/{project_id}")
    assert status == 200 and project["result"]["name"] == draft["name"]


async def test_a_command_whose_connection_drops_before_its_confirm_is_504_never_503(
    system: System, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command is out, then the connection is lost before RabbitMQ's confirm: RabbitMQ may
    have routed it, so the answer is 504 `outcome_unknown` with its task, and here it did take
    effect (a 503 would have been untrue)."""
    sent = confirms_too_late(monkeypatch, ConnectionError("injected: the connection dropped"))
    status, body, _ = await call(
        http, "POST", "/projects", json={"name": f"Dropped {uuid4()}", "customer": "B"}
    )
    monkeypatch.undo()
    assert len(sent) == 1
    assert status == 504, body
    assert body["errors"][0]["type"] == "outcome_unknown"
    task = await task_done(http, body["result"]["task_id"])
    assert task["state"] == "SUCCESS", task
    assert task["result"]["project_id"] == body["result"]["project_id"]


async def test_a_body_that_stalls_is_408_and_creates_nothing(
    system: System, http: aiohttp.ClientSession
) -> None:
    """A body sent in parts within the time allowed is read whole; one that stops half-way is
    answered 408 once `body_timeout_s` passes, and its command is never published."""
    from .gateways import gateway_processes

    name = f"Stalled body {uuid4()}"
    body = json.dumps({"name": name, "customer": "B"}).encode()
    token = bearer(system.settings)["Authorization"]

    async def send(parts: list[bytes], pause_s: float) -> tuple[int, dict[str, object]]:
        reader, writer = await asyncio.open_connection("127.0.0.1", 18096)
        head = (
            f"POST /projects HTTP/1.1\r\nHost: gateway\r\nAuthorization: {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Prefer: wait=10\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode())
        for part in parts:
            writer.write(part)
            await writer.drain()
            await asyncio.sleep(pause_s)
        raw = await asyncio.wait_for(reader.read(), 15)
        writer.close()
        status_line, _, rest = raw.partition(b"\r\n")
        envelope = json.loads(rest.partition(b"\r\n\r\n")[2])
        return int(status_line.split()[1]), envelope

    async with gateway_processes([18096], body_timeout_s="1"):
        status, envelope = await send([body[:10], body[10:]], 0.3)
        assert status == 201, envelope
        status, envelope = await send([body[:10]], 0.0)  # the rest never comes
        assert status == 408, envelope
        assert envelope["errors"][0]["type"] == "timeout"
    status, envelope, _ = await call(http, "GET", "/projects", params={"q": name})
    assert status == 200, envelope
    assert [p["name"] for p in envelope["result"]["items"]] == [name]
