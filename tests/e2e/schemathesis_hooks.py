"""Schemathesis hooks (loaded with SCHEMATHESIS_HOOKS): read NDJSON as the OpenAPI document
describes it, an array of one value per line, so `/audit/export` is validated too."""

import json
from typing import Any

import schemathesis


@schemathesis.deserializer("application/x-ndjson")
def ndjson_lines(ctx: Any, response: Any) -> list[Any]:
    return [json.loads(line) for line in response.content.splitlines() if line.strip()]
