"""The `apex` command: database set-up, tasks and dead letters (more verbs join as they land)."""

import argparse
import asyncio
import sys
from importlib.metadata import entry_points
from urllib.parse import urlsplit, urlunsplit

import orjson

from apex_contracts.tasks import TaskRecord

from . import cli_ops, cli_watch
from .settings import get_settings


def server_url(database_url: str) -> tuple[str, str]:
    """The maintenance-database URL (asyncpg form) and the database name of an APEX URL."""
    parts = urlsplit(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def cmd_migrate(_: argparse.Namespace) -> int:
    from .migrations import create_database, registered, upgrade

    settings = get_settings()
    server, name = server_url(settings.database_url)
    if asyncio.run(create_database(server, name)):
        print(f"created database {name}")
    for migrations in registered():
        upgrade(migrations, settings.database_url)
        print(f"migrated schema {migrations.schema}")
    return 0


def _read_task(task_id: str) -> TaskRecord | None:
    from redis.asyncio import Redis

    from .status_store import StatusStore

    async def read() -> TaskRecord | None:
        settings = get_settings()
        redis = Redis.from_url(settings.redis_url)
        try:
            return await StatusStore(redis, settings.task_ttl_s).get(task_id)
        finally:
            await redis.aclose()

    task = asyncio.run(read())
    if task is None:
        print(f"no task {task_id} (unknown, or expired)", file=sys.stderr)
    return task


def cmd_task(args: argparse.Namespace) -> int:
    task = _read_task(args.task_id)
    if task is None:
        return 1
    print(orjson.dumps(task.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode())
    return 0


def trace_link(tracing_ui_url: str, trace_id: str) -> str:
    """The tracing UI's page of one trace (`APEX_TRACING_UI_URL`)."""
    if "{trace_id}" in tracing_ui_url:
        return tracing_ui_url.replace("{trace_id}", trace_id)
    return f"{tracing_ui_url.rstrip('/')}/trace/{trace_id}"


def cmd_trace(args: argparse.Namespace) -> int:
    task = _read_task(args.task_id)
    if task is None:
        return 1
    if task.trace_id is None:
        print(f"task {args.task_id} has no trace (it was not made by a request)", file=sys.stderr)
        return 1
    print(trace_link(get_settings().tracing_ui_url, task.trace_id))
    return 0


ENTRY_POINT_GROUP = "apex.cli"


def main(argv: list[str] | None = None) -> int:
    """`apex <verb> …`; packages add verbs through `apex.cli` entry points."""
    parser = argparse.ArgumentParser(prog="apex", description="APEX operations")
    verbs = parser.add_subparsers(dest="verb", required=True)
    db = verbs.add_parser("db", help="database set-up").add_subparsers(dest="action", required=True)
    db.add_parser(
        "migrate", help="create the database and apply every service's migrations"
    ).set_defaults(func=cmd_migrate)
    tasks = verbs.add_parser("tasks", help="task status").add_subparsers(
        dest="action", required=True
    )
    show = tasks.add_parser("show", help="print one task")
    show.add_argument("task_id")
    show.set_defaults(func=cmd_task)
    cli_ops.register_tasks(tasks)
    cli_watch.register_watch(tasks)
    trace = verbs.add_parser("trace", help="the tracing UI's link for a task's request")
    trace.add_argument("task_id")
    trace.set_defaults(func=cmd_trace)
    cli_ops.register(verbs)
    cli_ops.register_status(verbs)
    for plugin in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        plugin.load()(verbs)  # each adds its verbs with `set_defaults(func=...)`
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
