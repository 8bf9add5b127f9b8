"""The SDKs against the real gateway: README's two "create a project and wait for it" examples
(read out of README, so README is what is tested) run as an integrator would run them, with the
gateway's address and a token in APEX_URL and APEX_TOKEN; and the document the clients were
generated from is the one the gateway serves."""

import asyncio
import json
import os
import sys
from pathlib import Path

import aiohttp

from apex_gateway.auth import mint_token

from ..clients.sdk import CLIENTS, TYPESCRIPT, build_typescript, readme_examples, tool
from .conftest import System

EXAMPLE_TIMEOUT_S = 120.0


async def test_served_document_is_the_one_the_clients_were_generated_from(
    http: aiohttp.ClientSession,
) -> None:
    async with http.get("/openapi.json") as response:
        served = await response.json()
    assert served == json.loads((CLIENTS / "openapi.json").read_text()), (
        "clients/openapi.json is not what the gateway serves: run `make clients`"
    )


async def _run(argv: list[str], system: System, cwd: Path) -> str:
    """Run an example as a subprocess (the gateway answers in this event loop meanwhile)."""
    token = mint_token(system.settings, "demo", "sdk-example", ["engineer"])
    env = {**os.environ, "APEX_URL": system.base_url, "APEX_TOKEN": token}
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), EXAMPLE_TIMEOUT_S)
    assert process.returncode == 0, f"{argv} exited {process.returncode}:\n{stdout!r}\n{stderr!r}"
    return stdout.decode()


async def _assert_created(http: aiohttp.ClientSession, printed: str) -> None:
    """The example printed `SUCCESS <project id> <name>` last, and the project is there to read."""
    state, project_id, name = printed.strip().splitlines()[-1].split(" ", 2)
    assert state == "SUCCESS"
    async with http.get(f"/projects/{project_id}") as response:
        body = await response.json()
    assert response.status == 200, body
    assert body["result"]["name"] == name == "Main St pylon"
    assert body["result"]["customer"] == "Acme Signs"


async def test_readme_python_example_creates_a_project_and_waits_for_it(
    system: System, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    (tmp_path / "example.py").write_text(readme_examples()["python"])
    printed = await _run([sys.executable, "example.py"], system, tmp_path)
    await _assert_created(http, printed)


TSCONFIG = {
    "compilerOptions": {
        "target": "ES2022",
        "module": "NodeNext",
        "moduleResolution": "NodeNext",
        "strict": True,
        "types": ["node"],
        "outDir": "out",
    },
    "files": ["example.ts"],
}


def _typescript_project(folder: Path) -> None:
    """A folder as an integrator's: the example, and the client installed as a dependency (a
    link, as `npm install ../clients/typescript` makes)."""
    build_typescript()
    (folder / "example.ts").write_text(readme_examples()["ts"])
    (folder / "package.json").write_text(json.dumps({"type": "module", "private": True}))
    (folder / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    modules = folder / "node_modules"
    (modules / "@apex").mkdir(parents=True)
    (modules / "@apex" / "client").symlink_to(TYPESCRIPT, target_is_directory=True)
    (modules / "@types").symlink_to(TYPESCRIPT / "node_modules" / "@types")


async def test_readme_typescript_example_creates_a_project_and_waits_for_it(
    system: System, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    await asyncio.to_thread(_typescript_project, tmp_path)
    await _run([str(tool("tsc")), "-p", "."], system, tmp_path)  # type-checks it too
    printed = await _run(["node", "out/example.js"], system, tmp_path)
    await _assert_created(http, printed)
