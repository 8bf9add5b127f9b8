"""`apex tasks watch <task_id>`: a live progress bar of one task, from the gateway's event
stream (`GET /tasks/{task_id}/events`, the public API), until the task is final. The stream
ends after a while by design; the watch reconnects."""

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

FINAL = {"SUCCESS", "FAILURE", "REVOKED"}
RECONNECT_S = 1.0


def register_watch(tasks: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    watch = tasks.add_parser("watch", help="a live progress bar of a task until it is final")
    watch.add_argument("task_id")
    watch.add_argument("--url", default=os.environ.get("APEX_URL", "http://localhost:8080"),
                       help="the gateway (APEX_URL)")  # fmt: skip
    watch.add_argument("--token", default=os.environ.get("APEX_TOKEN"),
                       help="a bearer token (APEX_TOKEN), or --api-key")  # fmt: skip
    watch.add_argument("--api-key", default=os.environ.get("APEX_API_KEY"),
                       help="an API key (APEX_API_KEY)")  # fmt: skip
    watch.set_defaults(func=cmd_tasks_watch)


class WatchError(Exception):
    """The gateway's answer says the task cannot be watched (not found, no credentials)."""


async def task_events(
    session: aiohttp.ClientSession, task_id: str
) -> AsyncIterator[dict[str, Any]]:
    """Each state of the task the stream sends, reconnecting until one is final."""
    while True:
        async with session.get(f"/tasks/{task_id}/events") as response:
            if response.status != 200:
                body = await response.json(content_type=None)
                errors = "; ".join(e["message"] for e in body.get("errors", [])) or response.reason
                raise WatchError(f"{response.status}: {errors}")
            data: list[bytes] = []
            async for raw in response.content:
                line = raw.rstrip(b"\r\n")
                if line.startswith(b"data:"):
                    data.append(line[5:].strip())
                elif not line and data:  # an event ends at a blank line
                    task = orjson.loads(b"\n".join(data))
                    data = []
                    yield task
                    if task["state"] in FINAL:
                        return
        await asyncio.sleep(RECONNECT_S)


def _describe(task: dict[str, Any]) -> str:
    children = task.get("children") or []
    done = sum(1 for c in children if c["state"] in FINAL)
    family = f" · children {done}/{len(children)}" if children else ""
    return f"{task['kind']} {task['state']}{family}"


async def watch(url: str, headers: dict[str, str], task_id: str, console: Console) -> int:
    """0 when the task ends SUCCESS, 1 when it ends otherwise, 2 when it cannot be watched."""
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    )  # fmt: skip
    last: dict[str, Any] | None = None
    async with aiohttp.ClientSession(base_url=url, headers=headers) as session:
        with progress:
            bar = progress.add_task(task_id, total=100)
            try:
                async for last in task_events(session, task_id):
                    done = 100.0 if last["state"] == "SUCCESS" else (last.get("progress") or 0.0)
                    progress.update(bar, completed=done, description=_describe(last))
            except (WatchError, aiohttp.ClientError) as exc:
                console.print(f"cannot watch task {task_id}: {exc}")
                return 2
    assert last is not None
    if last["state"] == "SUCCESS":
        return 0
    error = last.get("error") or {}
    console.print(f"{last['state']}: {error.get('code', '')} {error.get('message', '')}".strip())
    return 1


def cmd_tasks_watch(args: argparse.Namespace) -> int:
    if args.token:
        headers = {"Authorization": f"Bearer {args.token}"}
    elif args.api_key:
        headers = {"x-apex-key": args.api_key}
    else:
        print("give a bearer token (--token, APEX_TOKEN) or an API key", file=sys.stderr)
        return 2
    console = Console(stderr=False)
    return asyncio.run(watch(args.url, headers, args.task_id, console))
