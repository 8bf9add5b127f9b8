"""The service's PostgreSQL engine and the migration set each service registers."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from .settings import Settings


def make_engine(settings: Settings, database_url: str | None = None) -> AsyncEngine:
    return create_async_engine(
        database_url or settings.database_url,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
    )


def make_sessions(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    return async_sessionmaker(engine, expire_on_commit=False)


@dataclass(frozen=True)
class MigrationSet:
    """A service's Alembic migrations: `<package>/migrations`, versions kept in its schema."""

    package: str
    schema: str
