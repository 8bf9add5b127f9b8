"""`make bench`, audit log: how fast one audit-service process takes events in, and how fast a
chain is verified.

Phases, each alone on the machine (bench vhost, database and ports of `harness`):
  (a) live: audit-service runs; this process publishes N events (default 100,000) for one
      account to `apex.events` as fast as publisher confirms allow. Reported: the publish rate,
      the end-to-end ingest rate (N / first publish -> last entry committed) and the service's
      own commit rate (N / first -> last `recorded_at`).
  (b) backlog: with audit-service stopped, M events (default 50,000) wait in its queue; then
      it starts and drains them with no publisher competing for the CPU. Reported: the drain
      rate (M / first -> last `recorded_at`), i.e. what one process can take in.
  (c) verify: `audit.verify` over the broker, chunk after chunk as `apex audit verify` does,
      on an account of V entries (default 1,000,000) with a signed checkpoint every 1,000.
      That account is built once by COPY (as the database owner) and kept for later runs;
      `--verify-entries 0` instead verifies the N entries of (a) and extrapolates to 1,000,000,
      and says so.
The entries (a) and (b) add are removed at the end (the bench database is scratch space; the
owner switches the append-only trigger off for that, inside one transaction).
Targets (issue 7): ingest >= 5,000 events/s with one process; verify >= 200,000 entries/s.
"""

import argparse
import asyncio
import contextlib
import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import aio_pika
import asyncpg
import orjson
from harness import (
    AMQP_URL,
    AUDIT_COMMANDS_QUEUE,
    AUDIT_QUEUE,
    HOST,
    PG_DSN,
    PYTHON,
    ROOT,
    SIDE_PORTS,
    Processes,
    apex_env,
    cpu_seconds,
    ensure_ports_free,
    ensure_vhost,
    machine,
    migrate,
    purge_queues,
)
from pamqp.commands import Basic

from apex_audit.canonical import canonical_json
from apex_audit.chain import GENESIS, Draft, entry_document
from apex_audit.cli import verify_account
from apex_audit.signing import checkpoint_message, load_keys
from apex_runtime.amqp_client import BrokerClient

INGEST_TARGET = 5_000.0
VERIFY_TARGET = 200_000.0
ONE_MILLION = 1_000_000
CHECKPOINT_EVERY = 1000
READY_URL = f"http://{HOST}:{SIDE_PORTS['audit']}/ready"
# A project.updated-sized event under a key only audit-service binds (`#`): no other
# service's queue in the bench vhost fills with it.
ROUTING_KEY = "bench.audited"
BasicProperties = Basic.Properties


def event_body(n: int) -> bytes:
    """An event the size of project-service's `project.updated`."""
    return orjson.dumps(
        {
            "schema_version": 1,
            "project_id": str(uuid4()),
            "version": n,
            "name": "Main St pylon",
            "customer": "Acme Signs",
            "status": "draft",
            "occurred_at": datetime.now(UTC).isoformat(),
        }
    )


async def publish(account: str, count: int, in_flight: int) -> float:
    """Publish `count` events with confirms, `in_flight` at a time; the seconds it took.
    (Straight through aiormq, as lean a publisher as Python has, so the service is measured.)"""
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        underlay = await channel.get_underlay_channel()
        headers = {"x-apex-account": account, "x-apex-actor": "bench"}
        bodies = [event_body(n) for n in range(count)]
        sent = 0
        start = time.perf_counter()

        async def publisher() -> None:
            nonlocal sent
            while sent < count:
                body = bodies[sent]
                sent += 1
                await underlay.basic_publish(
                    body,
                    exchange="apex.events",
                    routing_key=ROUTING_KEY,
                    properties=BasicProperties(
                        message_id=str(uuid4()),
                        headers=headers,
                        content_type="application/json",
                        delivery_mode=2,
                    ),
                )

        await asyncio.gather(*(publisher() for _ in range(in_flight)))
        return time.perf_counter() - start
    finally:
        await connection.close()


async def stored(db: asyncpg.Connection, account: str) -> int:
    head = await db.fetchval("SELECT max(sequence) FROM audit.entries WHERE account = $1", account)
    return int(head or 0)


async def wait_stored(db: asyncpg.Connection, account: str, count: int, procs: Processes) -> float:
    """Poll until `count` entries are committed; the monotonic time it happened."""
    while await stored(db, account) < count:
        procs.check_alive("audit-service")
        await asyncio.sleep(0.05)
    return time.perf_counter()


async def commit_span(db: asyncpg.Connection, account: str) -> float:
    """Seconds between the first and the last `recorded_at` of the account."""
    first, last = await db.fetchrow(
        "SELECT min(t), max(t) FROM (SELECT (body::json ->> 'recorded_at')::timestamptz AS t"
        " FROM audit.entries WHERE account = $1) e",
        account,
    )
    return float((last - first).total_seconds())


async def start_service(procs: Processes) -> int:
    proc = await procs.start("audit-service", [PYTHON, "-m", "apex_audit"], env=apex_env())
    await procs.wait_ready("audit-service", READY_URL)
    return proc.pid


async def live(
    procs: Processes, db: asyncpg.Connection, args: argparse.Namespace, pid: int
) -> dict[str, Any]:
    account = f"bench-live-{uuid4().hex[:8]}"
    cpu_before = cpu_seconds(pid)
    start = time.perf_counter()
    waiting = asyncio.create_task(wait_stored(db, account, args.events, procs))
    publish_s = await publish(account, args.events, args.in_flight)
    done = await waiting
    return {
        "account": account,
        "events": args.events,
        "publish_rate": args.events / publish_s,
        "ingest_rate": args.events / (done - start),
        "commit_rate": (args.events - 1) / await commit_span(db, account),
        "service_cpu_s": cpu_seconds(pid) - cpu_before,
    }


async def backlog(
    procs: Processes, db: asyncpg.Connection, args: argparse.Namespace
) -> dict[str, Any]:
    account = f"bench-backlog-{uuid4().hex[:8]}"
    await procs.stop("audit-service")
    await publish(account, args.backlog, args.in_flight)
    await start_service(procs)
    await wait_stored(db, account, args.backlog, procs)
    return {
        "account": account,
        "events": args.backlog,
        "drain_rate": (args.backlog - 1) / await commit_span(db, account),
    }


async def verify(
    db: asyncpg.Connection, account: str, entries: int, timeout_s: float
) -> dict[str, Any]:
    client = BrokerClient(AMQP_URL, "bench-audit")
    await client.connect()
    try:
        start = time.perf_counter()
        result = await verify_account(client, account, timeout_s)
        elapsed = time.perf_counter() - start
    finally:
        await client.close()
    if not result["verified"] or result["entries"] != entries:
        raise RuntimeError(f"verification of {account} failed: {result}")
    return {
        "account": account,
        "entries": entries,
        "checkpoints": result["checkpoints"],
        "seconds": elapsed,
        "rate": entries / elapsed,
    }


async def verify_account_of(db: asyncpg.Connection, entries: int) -> str:
    """An account of `entries` entries and a signed checkpoint every 1,000, built by COPY once
    (named after the signing key, which must be the service's to verify)."""
    keys = load_keys(None, str(ROOT / "var" / "audit-signing.key"), "", "development")
    account = f"bench-verify-{entries}-{keys.key_id}"
    if await stored(db, account) == entries:
        return account
    now = datetime.now(UTC)
    marker, placeholder = 987654321987, "M" * 36
    draft = Draft(
        kind="event",
        account=account,
        message_id=placeholder,
        routing_key=ROUTING_KEY,
        actor="bench",
        subject={"project_id": str(uuid4())},
        task_id=None,
        occurred_at=now,
        trace_id="0af7651916cd43dd8448eb211c80319c",
        payload=orjson.loads(event_body(0)),
    )
    head, tail = canonical_json(entry_document(draft, marker, now)).split(str(marker).encode())
    rows, signed, prev = [], [], GENESIS
    for sequence in range(1, entries + 1):
        body = head + str(sequence).encode() + tail
        body = body.replace(placeholder.encode(), b"%036d" % sequence)
        digest = hashlib.sha256(prev + body).digest()
        rows.append((body.decode(), prev, digest))
        if sequence % CHECKPOINT_EVERY == 0:
            message = checkpoint_message(account, sequence, digest, now)
            signed.append((account, sequence, digest, now, keys.key_id, keys.sign(message)))
        prev = digest
    async with db.transaction():
        await db.copy_records_to_table(
            "entries",
            schema_name="audit",
            records=rows,
            columns=["body", "prev_hash", "entry_hash"],
        )
        await db.copy_records_to_table("checkpoints", schema_name="audit", records=signed)
    return account


async def remove(db: asyncpg.Connection, accounts: list[str]) -> None:
    """Scratch space: the owner removes this run's entries, trigger off in one transaction."""
    async with db.transaction():
        for table in ("entries", "checkpoints"):
            await db.execute(f"ALTER TABLE audit.{table} DISABLE TRIGGER {table}_append_only")
            await db.execute(f"DELETE FROM audit.{table} WHERE account = ANY($1)", accounts)
            await db.execute(f"ALTER TABLE audit.{table} ENABLE ALWAYS TRIGGER {table}_append_only")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    ensure_ports_free(SIDE_PORTS["audit"])
    ensure_vhost()
    migrate()
    results: dict[str, Any] = {}
    db = await asyncpg.connect(PG_DSN)
    scratch: list[str] = []
    try:
        async with Processes() as procs:
            pid = await start_service(procs)  # it declares and binds its queues
            await purge_queues(AUDIT_QUEUE, AUDIT_COMMANDS_QUEUE)
            results["live"] = await live(procs, db, args, pid)
            scratch.append(results["live"]["account"])
            if args.backlog:
                results["backlog"] = await backlog(procs, db, args)
                scratch.append(results["backlog"]["account"])
            if args.verify_entries:
                build_start = time.perf_counter()
                account = await verify_account_of(db, args.verify_entries)
                results["build_s"] = time.perf_counter() - build_start
                results["verify"] = await verify(db, account, args.verify_entries, 300)
            else:
                live_account = results["live"]["account"]
                results["verify"] = await verify(db, live_account, args.events, 300)
    finally:
        with contextlib.suppress(Exception):
            await remove(db, scratch)
        await db.close()
    return results


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\nAPEX audit benchmark, {machine()}")
    live = results["live"]
    print(f"(a) live: {live['events']:,} events published with {args.in_flight} in flight")
    print(f"    publish rate (confirmed)        {live['publish_rate']:>9,.0f} events/s")
    print(f"    ingest rate, end to end         {live['ingest_rate']:>9,.0f} events/s")
    print(f"    service commit rate             {live['commit_rate']:>9,.0f} events/s")
    cpu_ms = live["service_cpu_s"] / live["events"] * 1e6  # per 1,000 events
    print(f"    service CPU per 1,000 events    {cpu_ms:>9.0f} ms")
    drain = 0.0
    if "backlog" in results:
        backlog = results["backlog"]
        drain = backlog["drain_rate"]
        print(f"(b) backlog of {backlog['events']:,} events, drained by one process")
        print(f"    drain rate                      {drain:>9,.0f} events/s")
    verify = results["verify"]
    per_million = ONE_MILLION / verify["rate"]
    print(f"(c) verify {verify['entries']:,} entries, {verify['checkpoints']:,} checkpoints")
    if "build_s" in results and results["build_s"] > 1:
        print(f"    (account built by COPY first, {results['build_s']:.0f} s; kept for next runs)")
    print(f"    verify rate                     {verify['rate']:>9,.0f} entries/s")
    if verify["entries"] == ONE_MILLION:
        print(f"    time to verify 1,000,000        {verify['seconds']:>9.2f} s (measured)")
    else:
        print(f"    time to verify 1,000,000        {per_million:>9.2f} s", end="")
        print(f" (extrapolated from {verify['entries']:,} entries)")
    ingest = max(drain, live["ingest_rate"])
    print(f"\ningest {ingest:,.0f} events/s (target >= {INGEST_TARGET:,.0f}): ", end="")
    print("met" if ingest >= INGEST_TARGET else "MISSED")
    print(f"verify {verify['rate']:,.0f} entries/s (target >= {VERIFY_TARGET:,.0f}): ", end="")
    print("met" if verify["rate"] >= VERIFY_TARGET else "MISSED")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events published live")
    parser.add_argument("--backlog", type=int, default=50_000, help="events drained (0: skip)")
    parser.add_argument("--in-flight", type=int, default=500, help="publishes awaiting confirm")
    parser.add_argument(
        "--verify-entries",
        type=int,
        default=ONE_MILLION,
        help="size of the verified account (0: the live one, extrapolated)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results here")
    return parser.parse_args()


def main() -> None:
    args = parse()
    results = asyncio.run(run(args))
    report(results, args)
    if args.json:
        Path(args.json).write_bytes(orjson.dumps(results))


if __name__ == "__main__":
    main()
