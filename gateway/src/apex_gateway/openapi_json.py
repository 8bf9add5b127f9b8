"""`python -m apex_gateway.openapi_json`: print the OpenAPI document the gateway serves at
`/openapi.json`, built in-process from the route modules (nothing connects), for the clients
generated from it (`make clients`)."""

import json
from typing import Any

from .app import OPERATIONS
from .openapi import build_spec


def document() -> dict[str, Any]:
    """The document for every route module's operations, in the order `create_app` adds them."""
    return build_spec(OPERATIONS)


def text() -> str:
    """`document()` as indented JSON with a final newline: the form checked in, diff-friendly."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(text(), end="")
