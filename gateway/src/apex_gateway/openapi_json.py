"""`python -m apex_gateway.openapi_json`: print the OpenAPI document the gateway serves at
`/openapi.json`, built in-process from the route modules (nothing connects), for the clients
generated from it (`make clients`)."""

import json
from typing import Any

from .app import ROUTE_MODULES
from .openapi import build_spec


def document() -> dict[str, Any]:
    """The document for every route module's `OPERATIONS`, in the order `create_app` adds them."""
    operations = tuple(op for module in ROUTE_MODULES for op in getattr(module, "OPERATIONS", ()))
    return build_spec(operations)


def text() -> str:
    """`document()` as indented JSON with a final newline: the form checked in, diff-friendly."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(text(), end="")
