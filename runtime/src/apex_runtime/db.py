"""The service's PostgreSQL engine and the migration set each service registers."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from .settings import Settings


def make_engine(settings: Settings, database_url: str | None = None) -> AsyncEngine:
    # A connection per message in flight (prefetch), so none is opened mid-run; no pre-ping
    # (three round trips per checkout): a connection that died surfaces as "unavailable" and
    # the message is retried. Loopback PostgreSQL: no TLS negotiation.
    return create_async_engine(
        database_url or settings.database_url,
        pool_size=max(10, settings.prefetch),
        max_overflow=10,
        pool_pre_ping=False,
        pool_recycle=1800,
        connect_args={"ssl": False} if _is_local(database_url or settings.database_url) else {},
    )


def _is_local(url: str) -> bool:
    return "@127.0.0.1" in url or "@localhost" in url or "@[::1]" in url


def make_sessions(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    return async_sessionmaker(engine, expire_on_commit=False)


@dataclass(frozen=True)
class MigrationSet:
    """A service's Alembic migrations: `<package>/migrations`, versions kept in its schema."""

    package: str
    schema: str
