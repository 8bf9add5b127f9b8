"""The TypeScript client type-checks: generated types, openapi-fetch and the hand-written parts."""

from .sdk import TYPESCRIPT, run, tool


def test_typescript_client_type_checks() -> None:
    run([str(tool("tsc")), "-p", str(TYPESCRIPT), "--noEmit"])
