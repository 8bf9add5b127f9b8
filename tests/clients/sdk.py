"""Where the clients live and how tests build and read them (tests/clients, tests/e2e)."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / "clients"
TYPESCRIPT = CLIENTS / "typescript"
NODE_BIN = TYPESCRIPT / "node_modules" / ".bin"
GENERATE = ROOT / "scripts" / "generate-clients.sh"
README = ROOT / "README.md"


def tool(name: str) -> Path:
    """A program the TypeScript client's packages install (`make install` runs `npm ci`)."""
    path = NODE_BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make install` (npm ci in clients/typescript)")
    return path


def build_typescript() -> Path:
    """Compile the TypeScript client into its `dist/` (as `npm run build` does); its folder."""
    run([str(tool("tsc")), "-p", str(TYPESCRIPT)])
    return TYPESCRIPT


def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a program, failing the test with its output when it fails."""
    done = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    if done.returncode != 0:
        pytest.fail(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done  # type: ignore[no-any-return]


def readme_examples() -> dict[str, str]:
    """The code blocks of README's "SDKs" subsection (under "For integrators"), by language."""
    text = README.read_text()
    section = text.split("\n## For integrators\n", 1)[1].split("\n## ", 1)[0]
    sdks = section.split("\n### SDKs\n", 1)[1].split("\n### ", 1)[0]
    return dict(re.findall(r"^```(\w+)\n(.*?)^```$", sdks, flags=re.MULTILINE | re.DOTALL))
