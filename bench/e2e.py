"""`make bench`, part 2: the whole path for many projects, APEX against the Celery setup.

APEX: `POST /projects` accepted by the gateway -> command through RabbitMQ -> project-service
writes the row (with inbox, outbox and task state) -> task `SUCCESS` visible at
`GET /tasks/{id}`, with audit-service consuming the events alongside. The baseline it
replaces: an aiohttp endpoint enqueues a Celery 5 task (RabbitMQ broker, Redis result
backend) whose worker (2 processes) inserts the same row, polled through the result backend.

The same client process drives both: N concurrent clients, each creates a project and polls
its task until a final state; per-project latency is from the POST to the poll that saw
`SUCCESS`. Rows are counted in Postgres afterwards.
"""

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import asyncpg
import celery_app
import spy
from harness import (
    AMQP_URL,
    APEX_REDIS_URL,
    AUDIT_COMMANDS_QUEUE,
    AUDIT_QUEUE,
    BENCH,
    CELERY_RESULT_URL,
    CELERY_WEB_PORT,
    GATEWAY_PORT,
    HOST,
    PG_DSN,
    PROJECT_QUEUE,
    PYTHON,
    SIDE_PORTS,
    Processes,
    apex_env,
    bearer_token,
    cancel_on_sigterm,
    ensure_ports_free,
    ensure_vhost,
    extra_env,
    flush_redis,
    machine,
    migrate,
    purge_queues,
    ratio,
    row,
    script,
)

THROUGHPUT_TARGET = 1.5
PROFILE_DELAY_S = 4.0  # past the warm-up projects
# emptied before each run; `audit` is append-only (TRUNCATE is refused), so it just grows
BENCH_SCHEMAS = ["projects", celery_app.SCHEMA]
APEX_SERVICES = {"project-service": "apex_projects", "audit-service": "apex_audit"}


async def reset_database() -> None:
    """Create the Celery table and empty every table the run writes (bench database only)."""
    conn = await asyncpg.connect(PG_DSN)
    try:
        await conn.execute(celery_app.TABLE_DDL)
        tables = await conn.fetch(
            "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables"
            " WHERE schemaname = ANY($1::text[]) AND tablename <> 'alembic_version'",
            BENCH_SCHEMAS,
        )
        await conn.execute(f"TRUNCATE {', '.join(t['name'] for t in tables)} CASCADE")
    finally:
        await conn.close()


async def count_rows(table: str, project_ids: list[str]) -> int:
    conn = await asyncpg.connect(PG_DSN)
    try:
        query = f"SELECT count(*) FROM {table} WHERE id = ANY($1::uuid[])"
        return int(await conn.fetchval(query, project_ids))
    finally:
        await conn.close()


async def prepare() -> None:
    ensure_ports_free(GATEWAY_PORT, CELERY_WEB_PORT, SIDE_PORTS["project"], SIDE_PORTS["audit"])
    ensure_vhost()
    migrate()
    await reset_database()
    await flush_redis(APEX_REDIS_URL)
    await flush_redis(CELERY_RESULT_URL)
    await purge_queues(PROJECT_QUEUE, AUDIT_QUEUE, AUDIT_COMMANDS_QUEUE, celery_app.QUEUE)


def client(port: int, args: argparse.Namespace, token: str | None = None) -> list[str]:
    argv = [*script("loadgen.py"), "e2e", "--port", str(port), "--count", str(args.count)]
    if token and args.prefer_wait:  # APEX only: wait for the outcome instead of polling
        argv += ["--prefer-wait", str(args.prefer_wait)]
    argv += ["--connections", str(args.clients), "--warmup-count", str(args.warmup_count)]
    argv += ["--poll-ms", str(args.poll_ms)]
    return argv + (["--token", token] if token else [])


def profile_path(args: argparse.Namespace, name: str) -> Path:
    return Path(args.profile) / f"{name}.spy"


def client_budget(args: argparse.Namespace) -> float:
    return 120.0 + (args.count + args.warmup_count) * 0.05


async def drive(
    procs: Processes, argv: list[str], args: argparse.Namespace, table: str, servers: list[str]
) -> dict[str, Any]:
    """Run the client against running servers; add row count and server CPU per project."""
    before = {name: procs.cpu_seconds(name) for name in servers}
    client_run = procs.run_json("e2e-client", argv, client_budget(args))
    recordings = [
        spy.record(procs, name, profile_path(args, name), PROFILE_DELAY_S, args.profile_seconds)
        for name in (servers if args.profile else [])
    ]
    stats: dict[str, Any] = (await asyncio.gather(client_run, *recordings))[0]
    projects = args.count + args.warmup_count
    stats["cpu_ms_per_project"] = {
        name: round((procs.cpu_seconds(name) - before[name]) * 1000 / projects, 2)
        for name in servers
    }
    stats["rows"] = await count_rows(table, stats.pop("project_ids"))
    return stats


async def run_apex(procs: Processes, args: argparse.Namespace) -> dict[str, Any]:
    env = extra_env(args.apex_env)
    for name, module in APEX_SERVICES.items():
        await procs.start(name, [PYTHON, "-m", module], env=env)
    await procs.start("gateway", [PYTHON, "-m", "apex_gateway"], env=env)
    try:
        await procs.wait_ready("project-service", f"http://{HOST}:{SIDE_PORTS['project']}/ready")
        await procs.wait_ready("audit-service", f"http://{HOST}:{SIDE_PORTS['audit']}/ready")
        await procs.wait_ready("gateway", f"http://{HOST}:{GATEWAY_PORT}/ready")
        argv = client(GATEWAY_PORT, args, bearer_token())
        servers = ["gateway", *APEX_SERVICES]
        return await drive(procs, argv, args, "projects.projects", servers)
    finally:
        for name in ("gateway", *APEX_SERVICES):
            await procs.stop(name)


def celery_env() -> dict[str, str]:
    env = apex_env()
    env.update(BENCH_CELERY_BROKER=AMQP_URL, BENCH_CELERY_RESULTS=CELERY_RESULT_URL)
    env["BENCH_CELERY_DSN"] = PG_DSN
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(BENCH), env.get("PYTHONPATH")) if p)
    return env


async def run_celery(procs: Processes, args: argparse.Namespace) -> dict[str, Any]:
    worker = [PYTHON, "-m", "celery", "-A", "celery_app", "worker", "--pool", "prefork"]
    worker += ["--concurrency", str(args.celery_workers), "--loglevel", "WARNING"]
    worker += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    worker += ["-Q", celery_app.QUEUE, "-n", "apex-bench@%h"]
    await procs.start("celery-worker", worker, env=celery_env(), cwd=BENCH)
    web = [*script("celery_web.py"), "--port", str(CELERY_WEB_PORT)]
    await procs.start("celery-web", web, env=celery_env(), cwd=BENCH)
    try:
        await procs.wait_ready("celery-web", f"http://{HOST}:{CELERY_WEB_PORT}/ready")
        procs.check_alive("celery-worker")
        table = f"{celery_app.SCHEMA}.projects"
        argv = client(CELERY_WEB_PORT, args)
        return await drive(procs, argv, args, table, ["celery-web", "celery-worker"])
    finally:
        await procs.stop("celery-web")
        await procs.stop("celery-worker")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    cancel_on_sigterm()
    await prepare()
    results: dict[str, Any] = {}
    try:
        async with Processes(keep_logs=args.keep_logs) as procs:
            if args.only in (None, "apex"):
                results["apex"] = await run_apex(procs, args)
            if args.only in (None, "celery"):
                results["celery"] = await run_celery(procs, args)
    finally:
        await purge_queues(PROJECT_QUEUE, AUDIT_QUEUE, AUDIT_COMMANDS_QUEUE, celery_app.QUEUE)
        await flush_redis(APEX_REDIS_URL)
        await flush_redis(CELERY_RESULT_URL)
    return results


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\nAPEX end-to-end benchmark, {machine()}")
    print(
        f"{args.count:,} projects (after {args.warmup_count} unmeasured) from {args.clients}",
        end="",
    )
    print(f" concurrent clients, task polled every {args.poll_ms:g} ms\n")
    labels = {
        "apex": "APEX gateway+project+audit",
        "celery": f"Celery 5, {args.celery_workers} worker processes",
    }
    for key, label in labels.items():
        if key in results:
            stats = results[key]
            print(row(label, stats, "projects/s") + f" rows={stats['rows']:,}")
            cpu = ", ".join(f"{k} {v:.2f}" for k, v in stats["cpu_ms_per_project"].items())
            print(f"{'':<34} CPU ms/project: {cpu}; polls/project {stats['polls_per_project']}")
    if "apex" in results and "celery" in results:
        apex, base = results["apex"], results["celery"]
        speedup = ratio(apex["rate"], base["rate"])
        print(f"\nAPEX / Celery projects/s   {speedup:.2f}   (target >= {THROUGHPUT_TARGET:g})")
        lower = "lower" if apex["p99_ms"] < base["p99_ms"] else "NOT lower"
        print(f"p99 APEX {apex['p99_ms']:.0f} ms vs Celery {base['p99_ms']:.0f} ms ({lower})")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="measured projects per setup")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients")
    parser.add_argument("--warmup-count", type=int, default=200, help="unmeasured projects")
    parser.add_argument("--poll-ms", type=float, default=20.0, help="task poll interval")
    parser.add_argument(
        "--prefer-wait",
        type=int,
        default=0,
        metavar="N",
        help="APEX clients send `Prefer: wait=N` and poll only if still running (experiment)",
    )
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--profile", metavar="DIR", help="py-spy each server (needs py-spy)")
    parser.add_argument("--profile-seconds", type=int, default=10)
    parser.add_argument(
        "--apex-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the APEX processes (experiments)",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep subprocess logs")
    parser.add_argument("--only", choices=("apex", "celery"), help="run one setup")
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.profile:
        spy.executable()
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    try:
        results = asyncio.run(run(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        sys.exit("interrupted; every process this run started has been stopped")
    report(results, args)
    if args.profile:
        print_profiles(results, args)


def print_profiles(results: dict[str, Any], args: argparse.Namespace) -> None:
    for setup, stats in results.items():
        for name, cpu_ms in stats["cpu_ms_per_project"].items():
            path = profile_path(args, name)
            if path.exists():
                print(f"\n--- py-spy, {setup}: {name} ({path}) ---")
                print(spy.report(path, cpu_ms, top=15, unit="project"))


if __name__ == "__main__":
    main()
