"""What is checked in under clients/ is what `make clients` makes from the gateway's routes."""

import filecmp
from pathlib import Path

from .sdk import CLIENTS, GENERATE, run, tool

# everything the generators write; the rest of clients/ is written by hand
GENERATED = ("openapi.json", "typescript/src/schema.ts", "python/src/apex_client/generated")


def _differences(made: Path, kept: Path) -> list[str]:
    if made.is_file() or kept.is_file():
        same = made.is_file() and kept.is_file() and made.read_bytes() == kept.read_bytes()
        return [] if same else [str(kept.relative_to(CLIENTS))]
    compared = filecmp.dircmp(made, kept, ignore=["__pycache__"])
    missing = compared.left_only + compared.diff_files + compared.funny_files
    found = [str((kept / name).relative_to(CLIENTS)) for name in missing]
    extra = compared.right_only
    found += [f"{(kept / name).relative_to(CLIENTS)} (not generated)" for name in extra]
    for name in compared.common_dirs:
        found += _differences(made / name, kept / name)
    return found


def test_checked_in_clients_are_what_the_current_routes_generate(tmp_path: Path) -> None:
    tool("openapi-typescript")
    run([str(GENERATE), str(tmp_path)])
    drift = [found for path in GENERATED for found in _differences(tmp_path / path, CLIENTS / path)]
    assert not drift, (
        "the clients have drifted from the gateway's OpenAPI document: run `make clients` and "
        "commit what it changes. Differs: " + ", ".join(drift)
    )
