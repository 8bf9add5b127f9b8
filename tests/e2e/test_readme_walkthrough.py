"""README's curl walkthrough, run as written in bash against the suite's gateway: every step
answers as its comment says, and the outcome is there (the project made, revised, given a
payload, deleted, and each change in the audit log)."""

import asyncio
import os
import re
from pathlib import Path

import aiohttp

from .conftest import System
from .helpers import audit_types

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough() -> str:
    """The first bash block under "## Walkthrough (curl)"."""
    text = README.read_text()
    section = text[text.index("## Walkthrough (curl)") :]
    found = re.search(r"```bash\n(.*?)```", section, re.S)
    assert found, "README's walkthrough has no bash block"
    return found.group(1)


EVENTS = ("project.created", "project.updated", "project.payload_saved", "project.deleted")


async def test_the_readme_walkthrough_runs_as_written(
    system: System, http: aiohttp.ClientSession
) -> None:
    script = "set -euo pipefail\n" + walkthrough()
    process = await asyncio.create_subprocess_exec(
        "bash", "-c", script,
        cwd=README.parent,
        env={**os.environ, "API": system.base_url.removeprefix("http://")},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    text = out.decode()
    assert process.returncode == 0, (text[-3000:], err.decode()[-3000:])
    assert '"status_url": "/tasks/' in text or '"status_url":"/tasks/' in text, text[:500]
    assert text.count("HTTP/1.1 202") == 2 and text.count("Idempotent-Replayed: true") == 1
    assert 'ETag: "1"' in text
    assert "Main St pylon (rev A)" in text and '"sha256"' in text
    # the audit log is written from the events, a moment after each change: the latest may
    # not be in yet when the walkthrough reads it, so the log is checked after the run
    project_id = re.search(r'"project_id": ?"([0-9a-f-]{36})"', text)
    assert project_id
    types = await audit_types(http, project_id.group(1), set(EVENTS))
    assert types[0] == "project.deleted"  # newest first
    assert '"type":"conflict"' in text.replace(" ", "")  # the final task cannot be cancelled
    history = text[text.rindex('{"result"') :]
    assert '"state":"PENDING"' in history.replace(" ", "")
    assert '"state":"SUCCESS"' in history.replace(" ", "")
