"""The AsyncAPI document is served raw by the gateway, as it is checked in, without a token."""

from importlib.resources import files

import aiohttp
import yaml

from .conftest import System

CHECKED_IN = files("apex_contracts") / "asyncapi.yaml"


async def test_asyncapi_yaml_and_json_are_the_checked_in_document(system: System) -> None:
    async with aiohttp.ClientSession(base_url=system.base_url) as anonymous:
        async with anonymous.get("/asyncapi.yaml") as response:
            assert response.status == 200
            assert response.content_type == "application/yaml"
            raw = await response.read()
        async with anonymous.get("/asyncapi.json") as response:
            assert response.status == 200
            assert response.content_type == "application/json"
            as_json = await response.json()
    assert raw == CHECKED_IN.read_bytes()
    document = yaml.safe_load(raw)
    assert as_json == document  # the same document, no envelope around it
    assert document["asyncapi"].startswith("3.")
    assert "project-service.commands" in yaml.safe_dump(document["channels"])
