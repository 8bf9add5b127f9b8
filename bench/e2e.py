"""`make bench`, part 2: the whole path for many projects, APEX against two Celery setups.

APEX: `POST /projects` accepted by the gateway -> command through RabbitMQ -> project-service
writes the row (with inbox, outbox and task state) -> task `SUCCESS` visible at
`GET /tasks/{id}`, with audit-service consuming the events alongside. The baseline it
replaces: an aiohttp endpoint enqueues a Celery 5 task (RabbitMQ broker, Redis result
backend) whose worker (2 processes) inserts the same row, polled through the result backend;
once with Celery's defaults, once "guarded", with Celery's own delivery guarantees (publisher
confirms, a quorum queue, acks late, reject on worker loss, STARTED tracked; see celery_app.py).

The same client process drives each: N concurrent clients, each creates a project and waits
for its task; APEX clients send `Prefer: wait=N` (and poll only while it is still running),
Celery clients poll. Per-project latency is from the POST to the answer that saw `SUCCESS`.
Rows are counted in Postgres afterwards. Besides the Python processes' CPU, the CPU RabbitMQ,
PostgreSQL and Redis spent during each run is read from /proc (see harness.ServerCpu).
"""

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp
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
    DATABASE,
    GATEWAY_PORT,
    HOST,
    PG_DSN,
    PROJECT_QUEUE,
    PYTHON,
    SIDE_PORTS,
    Processes,
    ServerCpu,
    apex_env,
    bearer_token,
    cancel_on_sigterm,
    delete_queues_and_exchanges,
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
    server_cpu_delta,
)

SETUPS = ("apex", "celery", "guarded")
THROUGHPUT_TARGET = 1.0  # APEX projects/s over plain Celery's
APEX_CPU_TARGET_MS = 3.0  # Python CPU per project, summed over the APEX processes
PROFILE_DELAY_S = 4.0  # past the warm-up projects
BACKGROUND_SAMPLE_S = 2.0  # the servers' CPU with nothing of the bench running
# emptied before each run; `audit` is append-only (TRUNCATE is refused), so it just grows
BENCH_SCHEMAS = ["projects", celery_app.SCHEMA]
APEX_SERVICES = {"project-service": "apex_projects", "audit-service": "apex_audit"}
CELERY_QUEUES = {"celery": celery_app.PLAIN_QUEUE, "guarded": celery_app.GUARDED_QUEUE}
BENCH_QUEUES = (PROJECT_QUEUE, AUDIT_QUEUE, AUDIT_COMMANDS_QUEUE, *CELERY_QUEUES.values())


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


async def clean_broker() -> None:
    """Empty the bench queues; delete what the guarded Celery worker declares for delayed
    delivery (28 quorum queues and their exchanges), which no other setup uses."""
    await delete_queues_and_exchanges(celery_app.DELAYED_QUEUES, celery_app.DELAYED_EXCHANGES)
    await purge_queues(*BENCH_QUEUES)


async def prepare() -> None:
    ensure_ports_free(GATEWAY_PORT, CELERY_WEB_PORT, SIDE_PORTS["project"], SIDE_PORTS["audit"])
    ensure_vhost()
    migrate()
    await reset_database()
    await flush_redis(APEX_REDIS_URL)
    await flush_redis(CELERY_RESULT_URL)
    await clean_broker()


async def background_cpu() -> dict[str, float | None]:
    """Cores each server keeps busy with nothing of the bench running (other tenants)."""
    before = ServerCpu()
    await asyncio.sleep(BACKGROUND_SAMPLE_S)
    after = ServerCpu()
    wall = after.at - before.at
    return {k: None if v is None else v / wall for k, v in server_cpu_delta(before, after).items()}


def client(port: int, args: argparse.Namespace, token: str | None = None) -> list[str]:
    argv = [*script("loadgen.py"), "e2e", "--port", str(port), "--count", str(args.count)]
    if token and args.prefer_wait:  # APEX only (Celery has no such header): no polling
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
    """Run the client against running servers; add row count and CPU per project of the
    Python servers and of RabbitMQ, PostgreSQL and Redis (warm-up included, as for every
    CPU figure here: the client's whole run over all its projects)."""
    before = {name: procs.cpu_seconds(name) for name in servers}
    shared_before = ServerCpu()
    client_run = procs.run_json("e2e-client", argv, client_budget(args))
    recordings = [
        spy.record(procs, name, profile_path(args, name), PROFILE_DELAY_S, args.profile_seconds)
        for name in (servers if args.profile else [])
    ]
    stats: dict[str, Any] = (await asyncio.gather(client_run, *recordings))[0]
    shared = server_cpu_delta(shared_before, ServerCpu())
    projects = args.count + args.warmup_count
    stats["cpu_ms_per_project"] = {
        name: round((procs.cpu_seconds(name) - before[name]) * 1000 / projects, 2)
        for name in servers
    }
    stats["server_cpu_ms_per_project"] = {
        name: None if cpu is None else round(cpu * 1000 / projects, 2)
        for name, cpu in shared.items()
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


def celery_env(guarded: bool) -> dict[str, str]:
    env = apex_env()
    env.update(BENCH_CELERY_BROKER=AMQP_URL, BENCH_CELERY_RESULTS=CELERY_RESULT_URL)
    env["BENCH_CELERY_DSN"] = PG_DSN
    env["BENCH_CELERY_GUARDED"] = "1" if guarded else "0"  # read by celery_app at import
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(BENCH), env.get("PYTHONPATH")) if p)
    return env


async def check_front(queue: str) -> None:
    """The front must publish where this setup's worker consumes."""
    url = f"http://{HOST}:{CELERY_WEB_PORT}/ready"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        served = (await response.json())["result"]["queue"]
    if served != queue:
        raise RuntimeError(f"the Celery front publishes to {served!r}, expected {queue!r}")


async def run_celery(procs: Processes, args: argparse.Namespace, setup: str) -> dict[str, Any]:
    """One Celery setup, `celery` (Celery's defaults) or `guarded` (see celery_app.py)."""
    queue, env = CELERY_QUEUES[setup], celery_env(guarded=setup == "guarded")
    await flush_redis(CELERY_RESULT_URL)  # each setup starts from an empty result backend
    worker = [PYTHON, "-m", "celery", "-A", "celery_app", "worker", "--pool", "prefork"]
    worker += ["--concurrency", str(args.celery_workers), "--loglevel", "WARNING"]
    worker += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    worker += ["-Q", queue, "-n", f"apex-bench-{setup}@%h"]
    await procs.start(f"{setup}-worker", worker, env=env, cwd=BENCH)
    web = [*script("celery_web.py"), "--port", str(CELERY_WEB_PORT)]
    await procs.start(f"{setup}-web", web, env=env, cwd=BENCH)
    try:
        await procs.wait_ready(f"{setup}-web", f"http://{HOST}:{CELERY_WEB_PORT}/ready")
        procs.check_alive(f"{setup}-worker")
        await check_front(queue)
        table = f"{celery_app.SCHEMA}.projects"
        argv = client(CELERY_WEB_PORT, args)
        return await drive(procs, argv, args, table, [f"{setup}-web", f"{setup}-worker"])
    finally:
        await procs.stop(f"{setup}-web")
        await procs.stop(f"{setup}-worker")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    cancel_on_sigterm()
    await prepare()
    results: dict[str, Any] = {"background": await background_cpu()}
    try:
        async with Processes(keep_logs=args.keep_logs) as procs:
            for setup in SETUPS if args.only is None else (args.only,):
                if setup == "apex":
                    results[setup] = await run_apex(procs, args)
                else:
                    results[setup] = await run_celery(procs, args, setup)
    finally:
        await clean_broker()
        await flush_redis(APEX_REDIS_URL)
        await flush_redis(CELERY_RESULT_URL)
    return results


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def server_line(cpu: dict[str, float | None]) -> str:
    """RabbitMQ, PostgreSQL (with its live-process scan) and Redis, in one line."""
    pg = f"{fmt(cpu['PostgreSQL'])} (live-process scan {fmt(cpu['PostgreSQL live'])}"
    pg += f", of it {DATABASE} backends {fmt(cpu['PostgreSQL bench'])})"
    return f"RabbitMQ {fmt(cpu['RabbitMQ'])}, PostgreSQL {pg}, Redis {fmt(cpu['Redis'])}"


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\nAPEX end-to-end benchmark, {machine()}")
    print(
        f"{args.count:,} projects per setup (after {args.warmup_count} unmeasured) from "
        f"{args.clients} concurrent clients; ",
        end="",
    )
    if args.prefer_wait:
        print(
            f"APEX clients send `Prefer: wait={args.prefer_wait}` (and poll every "
            f"{args.poll_ms:g} ms only while a task still runs), Celery clients poll every "
            f"{args.poll_ms:g} ms\n"
        )
    else:
        print(f"every client polls its task every {args.poll_ms:g} ms\n")
    labels = {
        "apex": "APEX gateway+project+audit",
        "celery": f"Celery 5, {args.celery_workers} worker processes",
        "guarded": f"guarded Celery 5, {args.celery_workers} workers",
    }
    for key, label in labels.items():
        if key in results:
            stats = results[key]
            print(row(label, stats, "projects/s") + f" rows={stats['rows']:,}")
            cpu = ", ".join(f"{k} {v:.2f}" for k, v in stats["cpu_ms_per_project"].items())
            polls = stats["polls_per_project"]
            print(f"{'':<34} Python CPU ms/project: {cpu}; polls/project {polls}")
            servers = server_line(stats["server_cpu_ms_per_project"])
            print(f"{'':<34} server CPU ms/project: {servers}")
    print(
        f"\nThe servers' CPU is read from /proc before and after each client run (warm-up"
        f" included, as the Python CPU) and covers the whole machine's use of them; for scale,"
        f" in {BACKGROUND_SAMPLE_S:g} s before the runs with nothing of the bench running they"
        f" kept busy (cores): {server_line(results['background'])}."
    )
    summarise(results)


def summarise(results: dict[str, Any]) -> None:
    """The closing lines: ratios of this run and the targets."""
    if "apex" not in results:
        return
    apex = results["apex"]
    print()
    names = {"celery": "Celery", "guarded": "guarded Celery"}
    for key, name in names.items():
        if key in results:
            print(f"APEX / {name} projects/s {ratio(apex['rate'], results[key]['rate']):.2f}")
    apex_cpu = sum(apex["cpu_ms_per_project"].values())
    print(f"APEX Python CPU ms/project {apex_cpu:.2f}")
    others = {name: results[key]["p99_ms"] for key, name in names.items() if key in results}
    cheap = apex_cpu <= APEX_CPU_TARGET_MS
    targets = [f"APEX Python CPU <= {APEX_CPU_TARGET_MS:.1f} ms/project: {met(cheap)}"]
    if others:
        p99s = ", ".join(f"{name} {p99:.0f} ms" for name, p99 in others.items())
        lower = all(apex["p99_ms"] < p99 for p99 in others.values())
        than = "both" if len(others) == 2 else next(iter(others))
        answer = "yes" if lower else "no"
        print(f"p99 APEX {apex['p99_ms']:.0f} ms, {p99s}: APEX lower than {than}: {answer}")
        targets.insert(0, f"APEX p99 lower than {than}: {met(lower)}")
    if "celery" in results:
        speedup = ratio(apex["rate"], results["celery"]["rate"])
        targets.insert(
            0, f"APEX / Celery >= {THROUGHPUT_TARGET:.1f}: {met(speedup >= THROUGHPUT_TARGET)}"
        )
    print("targets: " + "; ".join(targets))


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="measured projects per setup")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients")
    parser.add_argument("--warmup-count", type=int, default=200, help="unmeasured projects")
    parser.add_argument("--poll-ms", type=float, default=20.0, help="task poll interval")
    parser.add_argument(
        "--prefer-wait",
        type=int,
        default=30,
        metavar="N",
        help="APEX clients send `Prefer: wait=N` and poll only if still running; 0: they poll",
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
    parser.add_argument("--only", choices=SETUPS, help="run one setup")
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
    for setup in (key for key in SETUPS if key in results):
        for name, cpu_ms in results[setup]["cpu_ms_per_project"].items():
            path = profile_path(args, name)
            if path.exists():
                print(f"\n--- py-spy, {setup}: {name} ({path}) ---")
                print(spy.report(path, cpu_ms, top=15, unit="project"))


if __name__ == "__main__":
    main()
