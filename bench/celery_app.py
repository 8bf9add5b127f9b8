"""The architecture APEX replaces, for `bench/e2e.py` only: a Celery 5 task inserts the row.

Broker: RabbitMQ vhost `apex_bench`. Results: Redis database 3. The worker
(`celery -A celery_app worker -c 2`, started by e2e.py) inserts the project row into the
bench-only table `celery_bench.projects` of database `apex_bench`, which has the columns of
`projects.projects`. Each worker process keeps one asyncpg connection on its own event loop
(asyncpg is what the workspace already ships; Celery itself stays synchronous).

Two configurations, chosen at import by `BENCH_CELERY_GUARDED` (e2e.py sets it for the worker
and the front alike, so both publish to and consume from the same queue with the same
options):

- plain (unset or `0`): Celery's defaults, queue `bench.celery.projects`: a classic durable
  queue, persistent messages, no publisher confirms, ack on receipt.
- guarded (`1`): Celery with its own delivery guarantees, queue `bench.celery.projects.quorum`
  (a classic queue cannot be re-declared as quorum, hence its own name): a quorum queue,
  publisher confirms (`confirm_publish`: each `apply_async` waits for the broker's ack), ack
  after the task ran (`task_acks_late`), requeue when a worker process dies
  (`task_reject_on_worker_lost`) and a `STARTED` state written to the result backend
  (`task_track_started`). With a quorum queue configured, the installed Celery (5.7) turns
  global QoS off (`worker_detect_quorum_queues`: quorum queues have none) and its worker
  always runs the `DelayedDelivery` bootstep (no setting turns it off;
  `broker_native_delayed_delivery_queue_type` only picks the type of its queues): it declares
  28 `celery_delayed_<n>` quorum queues, as many topic exchanges and `celery_delayed_delivery`
  in the vhost, for countdown/ETA tasks (the bench sends none; it only logs a warning that
  the direct exchange of the queue cannot take delayed tasks). e2e.py deletes them before and
  after the run (`DELAYED_QUEUES`, `DELAYED_EXCHANGES`).
"""

import asyncio
import os
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from celery import Celery
from kombu import Exchange, Queue
from kombu.transport.native_delayed_delivery import (
    CELERY_DELAYED_DELIVERY_EXCHANGE,
    MAX_LEVEL,
    level_name,
)

BROKER_URL = os.environ.get("BENCH_CELERY_BROKER", "amqp://guest:guest@127.0.0.1:5672/apex_bench")
RESULT_URL = os.environ.get("BENCH_CELERY_RESULTS", "redis://127.0.0.1:6379/3")
PG_DSN = os.environ.get("BENCH_CELERY_DSN", "postgresql://root@127.0.0.1:5432/apex_bench")
GUARDED = os.environ.get("BENCH_CELERY_GUARDED", "0") == "1"
PLAIN_QUEUE = "bench.celery.projects"
GUARDED_QUEUE = "bench.celery.projects.quorum"
QUEUE = GUARDED_QUEUE if GUARDED else PLAIN_QUEUE
# what the guarded worker's DelayedDelivery bootstep declares (kombu's names, no prefix)
DELAYED_QUEUES = [level_name(level) for level in range(MAX_LEVEL + 1)]
DELAYED_EXCHANGES = [*DELAYED_QUEUES, CELERY_DELAYED_DELIVERY_EXCHANGE]
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
if GUARDED:
    app.conf.update(
        task_queues=[
            Queue(
                QUEUE,
                Exchange(QUEUE, type="direct"),
                routing_key=QUEUE,
                queue_arguments={"x-queue-type": "quorum"},
            )
        ],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_track_started=True,
        # publisher confirms on every channel of the connection: the front's publishes
        broker_transport_options={"confirm_publish": True},
        # Celery's default, stated: per-consumer prefetch, as quorum queues have no global QoS
        worker_detect_quorum_queues=True,
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
