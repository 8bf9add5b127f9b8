"""Alembic for every service: one schema each, its own version table, found by entry point."""

import asyncio
from importlib.metadata import entry_points

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from .db import MigrationSet
from .inbox import inbox_table
from .outbox import outbox_table

ENTRY_POINT_GROUP = "apex.migrations"


def registered() -> list[MigrationSet]:
    """Every installed service's migration set, in a stable order."""
    found = [ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)]
    return sorted(found, key=lambda m: m.schema)


def upgrade(migrations: MigrationSet, database_url: str) -> None:
    """Apply a service's migrations up to head."""
    cfg = Config()
    cfg.set_main_option("script_location", f"{migrations.package}:migrations")
    cfg.attributes["database_url"] = database_url
    cfg.attributes["schema"] = migrations.schema
    command.upgrade(cfg, "head")


def run_env() -> None:
    """Body of each service's `migrations/env.py` (online mode, asyncpg)."""
    cfg = context.config
    url: str = cfg.attributes["database_url"]
    schema: str = cfg.attributes["schema"]

    def migrate(connection: Connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        context.configure(
            connection=connection,
            version_table_schema=schema,
            include_schemas=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(migrate)
        await engine.dispose()

    asyncio.run(main())


async def create_database(server_url: str, name: str) -> bool:
    """Create database `name` if missing; True when it was created."""
    import asyncpg

    conn = await asyncpg.connect(server_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        await conn.execute(f'CREATE DATABASE "{name}"')
        return True
    finally:
        await conn.close()


def _messaging_metadata(schema: str) -> MetaData:
    metadata = MetaData()
    outbox_table(metadata, schema)
    inbox_table(metadata, schema)
    return metadata


def create_messaging_tables(schema: str) -> None:
    """Migration step: the service schema's outbox and inbox tables."""
    from alembic import op

    _messaging_metadata(schema).create_all(op.get_bind())


def drop_messaging_tables(schema: str) -> None:
    from alembic import op

    _messaging_metadata(schema).drop_all(op.get_bind())


def index_inbox_processed_at(schema: str) -> None:
    """Migration step: the index the retention sweep reads the inbox by (new schemas get it from
    `create_messaging_tables`)."""
    from alembic import op

    name = f"ix_{schema}_inbox_processed_at"  # the name `inbox_table`'s index gets
    op.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{schema}".inbox (processed_at)')


def drop_inbox_processed_at_index(schema: str) -> None:
    from alembic import op

    op.execute(f'DROP INDEX IF EXISTS "{schema}"."ix_{schema}_inbox_processed_at"')
