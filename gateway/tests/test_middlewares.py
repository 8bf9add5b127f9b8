"""The error middleware: every failure an envelope, and a client that left no error at all."""

import logging

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from apex_gateway.middlewares import CLIENT_LEFT, REQUESTS, errors_as_envelopes


async def test_a_client_that_left_mid_stream_is_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def streaming(_: web.Request) -> web.StreamResponse:
        raise ConnectionResetError("Cannot write to closing transport")

    with caplog.at_level(logging.INFO):
        response = await errors_as_envelopes(
            make_mocked_request("GET", "/tasks/x/events"), streaming
        )
    assert response.status == CLIENT_LEFT
    counted = [
        sample.value
        for metric in REQUESTS.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels["status"] == str(CLIENT_LEFT)
    ]
    assert sum(counted) >= 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "client left during GET /tasks/x/events" in caplog.text


async def test_any_other_exception_is_a_logged_500_envelope(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(_: web.Request) -> web.Response:
        raise KeyError("boom")

    response = await errors_as_envelopes(make_mocked_request("GET", "/projects"), broken)
    assert isinstance(response, web.Response) and response.status == 500
    assert isinstance(response.body, bytes)
    assert orjson.loads(response.body)["errors"][0]["type"] == "internal"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "unhandled error"
    ]
