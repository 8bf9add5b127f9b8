"""Start a test run from nothing: its database, RabbitMQ vhost and Redis database are dropped,
re-created and migrated, so a run never depends on what an earlier one left behind.

Used by the root `conftest.py` before any test of any package runs, and by the chaos suite for
its own environment. It refuses to wipe the development defaults (`make up`'s data).
"""

import asyncio
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import asyncpg
from redis.asyncio import Redis

from apex_runtime.cli import server_url
from apex_runtime.settings import Settings

COMMAND_TIMEOUT_S = 120
_held: dict[str, int] = {}  # lock file → descriptor, held until this process exits


@dataclass(frozen=True)
class TestState:
    """What one test environment owns, read from its `APEX_*` URLs."""

    database_url: str
    database: str
    vhost: str
    redis_url: str
    redis_db: int

    @classmethod
    def of(cls, env: Mapping[str, str]) -> "TestState":
        defaults = Settings.model_fields
        database_url = env.get("APEX_DATABASE_URL", defaults["database_url"].default)
        amqp_url = env.get("APEX_AMQP_URL", defaults["amqp_url"].default)
        redis_url = env.get("APEX_REDIS_URL", defaults["redis_url"].default)
        return cls(
            database_url=database_url,
            database=server_url(database_url)[1],
            vhost=unquote(urlsplit(amqp_url).path.lstrip("/")) or "/",
            redis_url=redis_url,
            redis_db=int(urlsplit(redis_url).path.lstrip("/") or 0),
        )

    def hold(self) -> None:
        """Take this environment for the process's lifetime, or fail naming who has it."""
        path = f"/tmp/apex-tests-{self.database}-{self.vhost}-{self.redis_db}.lock"
        if path in _held:
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode().strip() or "another process"
            os.close(fd)
            raise RuntimeError(
                f"another test run (pid {holder}) is using database {self.database!r}, vhost "
                f"{self.vhost!r}, Redis database {self.redis_db}: wait for it, or give this run "
                "its own APEX_DATABASE_URL, APEX_AMQP_URL and APEX_REDIS_URL"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        _held[path] = fd

    def refuse_development_data(self) -> None:
        development = TestState.of({})
        shared = [
            f"{what} {mine!r}"
            for what, mine, theirs in (
                ("database", self.database, development.database),
                ("vhost", self.vhost, development.vhost),
                ("Redis database", self.redis_db, development.redis_db),
            )
            if mine == theirs
        ]
        if shared:
            raise RuntimeError(
                "the tests drop their database, vhost and Redis database before they run; "
                f"refusing to wipe the development {', '.join(shared)}"
            )


def recreate(env: Mapping[str, str]) -> float:
    """Drop and re-create everything the environment `env` uses, migrated; seconds it took.

    The calling process keeps the environment to itself until it exits: a second run on the
    same database fails at once instead of dropping it under the first.
    """
    state = TestState.of(env)
    state.refuse_development_data()
    state.hold()
    started = time.monotonic()
    _recreate_vhost(state.vhost)
    asyncio.run(_recreate_database_and_redis(state))
    subprocess.run(
        [sys.executable, "-m", "apex_runtime.cli", "db", "migrate"],
        env=dict(env),
        check=True,
        capture_output=True,
        timeout=COMMAND_TIMEOUT_S,
    )
    return time.monotonic() - started


def _recreate_vhost(vhost: str) -> None:
    # No management plugin on these machines: rabbitmqctl is the one way in.
    subprocess.run(
        ["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True, timeout=COMMAND_TIMEOUT_S
    )  # absent on a fresh machine: its failure is expected
    for command in (
        ["add_vhost", vhost],
        ["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
    ):
        subprocess.run(
            ["rabbitmqctl", "-q", *command],
            check=True,
            capture_output=True,
            timeout=COMMAND_TIMEOUT_S,
        )


async def _recreate_database_and_redis(state: TestState) -> None:
    conn = await asyncpg.connect(server_url(state.database_url)[0])
    try:
        # FORCE: a process an earlier run left behind may still hold a connection
        await conn.execute(f'DROP DATABASE IF EXISTS "{state.database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{state.database}"')
    finally:
        await conn.close()
    redis = Redis.from_url(state.redis_url)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()
