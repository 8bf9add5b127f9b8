"""The `apex` command: database set-up, tasks and dead letters (more verbs join as they land)."""

import argparse
import asyncio
import sys
from importlib.metadata import entry_points
from urllib.parse import urlsplit, urlunsplit

import orjson

from . import cli_ops
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


def cmd_task(args: argparse.Namespace) -> int:
    from redis.asyncio import Redis

    from .status_store import StatusStore

    async def show() -> int:
        settings = get_settings()
        redis = Redis.from_url(settings.redis_url)
        try:
            task = await StatusStore(redis, settings.task_ttl_s).get(args.task_id)
        finally:
            await redis.aclose()
        if task is None:
            print(f"no task {args.task_id}", file=sys.stderr)
            return 1
        print(orjson.dumps(task.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode())
        return 0

    return asyncio.run(show())


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
    cli_ops.register(verbs)
    for plugin in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        plugin.load()(verbs)  # each adds its verbs with `set_defaults(func=...)`
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
