"""Every gateway response names the request's trace in a W3C `traceparent` header, the same
trace as the envelope's `trace.trace_id`; a caller's own `traceparent` is continued."""

import re

import aiohttp
from multidict import CIMultiDict

from .conftest import System

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def trace_of(headers: CIMultiDict[str]) -> str:
    found = TRACEPARENT.match(headers["traceparent"])
    assert found, headers.get("traceparent")
    return found.group(1)


async def test_json_answers_and_errors_carry_the_trace_of_their_envelope(
    system: System, http: aiohttp.ClientSession
) -> None:
    for method, path, expected in (
        ("GET", "/health", 200),
        ("POST", "/projects", 202),
        ("GET", "/tasks/00000000-0000-4000-8000-000000000000", 404),
        ("GET", "/no/such/route", 404),
    ):
        body = {"name": "Traced sign", "customer": "T"} if method == "POST" else None
        async with http.request(method, path, json=body) as response:
            assert response.status == expected, await response.text()
            envelope = await response.json()
            assert trace_of(CIMultiDict(response.headers)) == envelope["trace"]["trace_id"]


async def test_an_unauthenticated_request_and_an_event_stream_carry_it_too(
    system: System, http: aiohttp.ClientSession
) -> None:
    async with (
        aiohttp.ClientSession(base_url=system.base_url) as anonymous,
        anonymous.get("/projects") as response,
    ):
        assert response.status == 401
        assert trace_of(CIMultiDict(response.headers))
    async with http.post("/projects", json={"name": "Streamed", "customer": "T"}) as created:
        task_id = (await created.json())["result"]["task_id"]
    async with http.get(f"/tasks/{task_id}/events") as stream:
        assert stream.status == 200
        assert stream.content_type == "text/event-stream"
        assert trace_of(CIMultiDict(stream.headers))


async def test_a_callers_traceparent_is_continued(http: aiohttp.ClientSession) -> None:
    theirs = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    async with http.get("/health", headers={"traceparent": theirs}) as response:
        ours = CIMultiDict(response.headers)["traceparent"]
    assert trace_of(CIMultiDict(response.headers)) == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert ours != theirs  # the same trace, the gateway's own span
