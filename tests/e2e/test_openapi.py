"""OpenAPI 3.1 at /openapi.json, an offline /docs page, schemathesis against the live gateway."""

import asyncio
import re
import sys
from pathlib import Path

import aiohttp
import pytest

from apex_gateway.routes.docs import ALL_OPERATIONS

from .conftest import System, bearer
from .helpers import call

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


async def test_spec_lists_every_route_the_gateway_serves(
    system: System, http: aiohttp.ClientSession
) -> None:
    async with http.get("/openapi.json") as response:
        assert response.status == 200
        spec = await response.json()
    assert spec["openapi"] == "3.1.0"
    assert {"bearer", "apiKey"} <= set(spec["components"]["securitySchemes"])
    documented = {(op.method.upper(), op.path) for op in system.app[ALL_OPERATIONS]}
    served = {
        (route.method, route.resource.canonical)
        for route in system.app.router.routes()
        if route.resource is not None
        and route.method not in ("HEAD", "OPTIONS")
        and not route.resource.canonical.startswith(("/docs", "/openapi.json", "/metrics"))
    }
    assert served == documented


async def test_docs_page_is_served_without_a_cdn(http: aiohttp.ClientSession) -> None:
    async with http.get("/docs") as response:
        page = await response.text()
    assert response.status == 200
    assert "http" not in re.sub(r'"/[^"]*"', "", page.split("<body>")[1])  # only local assets
    async with http.get("/docs/static/swagger-ui-bundle.js") as asset:
        assert asset.status == 200


async def test_wrong_content_type_is_415_and_wrong_method_405(http: aiohttp.ClientSession) -> None:
    status, body, _ = await call(
        http,
        "POST",
        "/projects",
        data="name=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 415 and body["errors"][0]["field"] == "Content-Type"
    status, body, headers = await call(http, "PATCH", "/projects")
    assert status == 405
    assert "GET" in headers["Allow"] and "POST" in headers["Allow"]
    assert body["trace"]["trace_id"]


@pytest.mark.slow
async def test_schemathesis_finds_no_server_error_and_no_spec_violation(system: System) -> None:
    token = bearer(system.settings)["Authorization"]
    process = await asyncio.create_subprocess_exec(
        str(SCHEMATHESIS),
        "run",
        f"{system.base_url}/openapi.json",
        "--header",
        f"Authorization:{token}",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance,response_headers_conformance",
        "--max-examples",
        "100",
        "--seed",
        "20261126",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--report",
        "junit",
        "--report-junit-path",
        "var/schemathesis.xml",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 600)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-6000:]
    cases = re.search(r"(\d+) generated", text) or re.search(r"(\d+) test cases", text)
    assert cases is not None and int(cases.group(1)) >= 1000, text[-3000:]
