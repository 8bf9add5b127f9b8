"""The architecture APEX replaces, for `bench/e2e.py` only: a Celery 5 task inserts the row.

Broker: RabbitMQ vhost `apex_bench` (Celery's defaults: classic durable queue, persistent
messages, no publisher confirms, ack on receipt). Results: Redis database 3. The worker
(`celery -A celery_app worker -c 2`, started by e2e.py) inserts the project row into the
bench-only table `celery_bench.projects` of database `apex_bench`, which has the columns of
`projects.projects`. Each worker process keeps one asyncpg connection on its own event loop
(asyncpg is what the workspace already ships; Celery itself stays synchronous).
"""

import asyncio
import os
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from celery import Celery

BROKER_URL = os.environ.get("BENCH_CELERY_BROKER", "amqp://guest:guest@127.0.0.1:5672/apex_bench")
RESULT_URL = os.environ.get("BENCH_CELERY_RESULTS", "redis://127.0.0.1:6379/3")
PG_DSN = os.environ.get("BENCH_CELERY_DSN", "postgresql://root@127.0.0.1:5432/apex_bench")
QUEUE = "bench.celery.projects"
SCHEMA = "celery_bench"

TABLE_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.projects (
    id uuid PRIMARY KEY,
    account varchar(100) NOT NULL,
    name varchar(200) NOT NULL,
    customer varchar(200) NOT NULL,
    pm_email varchar(320),
    notes text,
    site jsonb,
    status varchar(32) NOT NULL,
    version integer NOT NULL,
    created_by varchar(200) NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_celery_projects_account_created
    ON {SCHEMA}.projects (account, created_at, id);
"""

INSERT = f"""
INSERT INTO {SCHEMA}.projects
    (id, account, name, customer, pm_email, notes, site, status, version, created_by,
     created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', 1, $8, $9, $9)
ON CONFLICT (id) DO NOTHING
"""

app = Celery("apex_bench", broker=BROKER_URL, backend=RESULT_URL)
app.conf.update(
    task_default_queue=QUEUE,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)

_db: dict[int, tuple[asyncio.AbstractEventLoop, asyncpg.Connection]] = {}


def database() -> tuple[asyncio.AbstractEventLoop, asyncpg.Connection]:
    """This worker process's event loop and connection, opened on first use."""
    pid = os.getpid()
    if pid not in _db:
        loop = asyncio.new_event_loop()
        _db[pid] = (loop, loop.run_until_complete(asyncpg.connect(PG_DSN)))
    return _db[pid]


@app.task(name="bench.create_project")
def create_project(
    project_id: str, account: str, actor: str, fields: dict[str, Any]
) -> dict[str, str]:
    """Insert the project row, as project-service does for `project.create`."""
    loop, conn = database()
    site = fields.get("site")
    now = datetime.now(UTC)
    loop.run_until_complete(
        conn.execute(
            INSERT,
            UUID(project_id),
            account,
            fields["name"],
            fields["customer"],
            fields.get("pm_email"),
            fields.get("notes"),
            None if site is None else orjson.dumps(site).decode(),
            actor,
            now,
        )
    )
    return {"project_id": project_id}
