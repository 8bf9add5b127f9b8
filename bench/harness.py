"""Shared plumbing of the benchmarks: the bench environment, subprocesses, readiness, stats.

Everything a benchmark touches is its own: RabbitMQ vhost `apex_bench`, database
`apex_bench`, Redis databases 2 (APEX) and 3 (Celery results) and ports 28xxx by default
(`BENCH_*` variables move them), so a running `make up` (8080, 81xx) and the tests (18080,
181xx, vhost `apex_test`) are left alone.
"""

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import aio_pika
import aiohttp
import orjson
from aiohttp import web
from redis.asyncio import Redis

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent

HOST = "127.0.0.1"
# Each resource can be moved (BENCH_* variables) so two benchmark runs never share one.
VHOST = os.environ.get("BENCH_VHOST", "apex_bench")
AMQP_URL = f"amqp://guest:guest@{HOST}:5672/{VHOST}"
DATABASE = os.environ.get("BENCH_DATABASE", "apex_bench")
DATABASE_URL = f"postgresql+asyncpg://root@{HOST}:5432/{DATABASE}"
PG_DSN = f"postgresql://root@{HOST}:5432/{DATABASE}"
APEX_REDIS_URL = f"redis://{HOST}:6379/{os.environ.get('BENCH_REDIS_DB', '2')}"
CELERY_RESULT_URL = f"redis://{HOST}:6379/{os.environ.get('BENCH_CELERY_REDIS_DB', '3')}"

PORT_BASE = int(os.environ.get("BENCH_PORT_BASE", "28000"))
GATEWAY_PORT = PORT_BASE + 80
CELERY_WEB_PORT = PORT_BASE + 81
BARE_PORT = PORT_BASE + 90
NAIVE_PORT = PORT_BASE + 91
SIDE_PORTS = {
    "project": PORT_BASE + 101,
    "signage": PORT_BASE + 102,
    "notification": PORT_BASE + 103,
    "document": PORT_BASE + 104,
    "audit": PORT_BASE + 105,
}

PROJECT_QUEUE = "project-service.commands"
AUDIT_QUEUE = "audit-service.events"
# Every accepted command is copied here for the audit log: a benchmark that runs the gateway
# without audit-service must empty it too, or the next run's audit-service drains the backlog
# and charges it to that run.
AUDIT_COMMANDS_QUEUE = "audit-service.commands"
FINAL_WAIT_S = 15.0


def apex_env(
    amqp_url: str = AMQP_URL,
    redis_url: str = APEX_REDIS_URL,
    database_url: str | None = DATABASE_URL,
    gateway_port: int = GATEWAY_PORT,
    side_ports: dict[str, int] = SIDE_PORTS,
) -> dict[str, str]:
    """This process's environment with every APEX setting pointed at the bench resources."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APEX_")}
    env.update(
        APEX_AMQP_URL=amqp_url,
        APEX_REDIS_URL=redis_url,
        APEX_GATEWAY_HOST=HOST,
        APEX_GATEWAY_PORT=str(gateway_port),
        APEX_SIDE_HOST=HOST,
        APEX_LOG_LEVEL="WARNING",
        # the limiter still runs on every request; it just never says no during a benchmark
        APEX_RATE_LIMIT_PER_MIN="1000000000",
        APEX_RATE_LIMIT_BURST="1000000",
        PYTHONUNBUFFERED="1",
    )
    if database_url is not None:
        env["APEX_DATABASE_URL"] = database_url
    env.update({f"APEX_{name.upper()}_PORT": str(port) for name, port in side_ports.items()})
    return env


def extra_env(pairs: Sequence[str]) -> dict[str, str]:
    """`apex_env()` plus `KEY=VALUE` pairs given on the command line."""
    env = apex_env()
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"expected KEY=VALUE, got {pair!r}")
        env[key] = value
    return env


def bearer_token() -> str | None:
    """A token for account `bench` (engineer) signed as the bench gateway verifies them;
    None for a gateway without authentication."""
    try:
        from apex_gateway.auth import mint_token
    except ImportError:
        return None
    from apex_runtime.settings import Settings

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(apex_env())
    try:
        settings = Settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return mint_token(settings, "bench", "bench", ["engineer"], ttl_s=6 * 3600)


# --- one-off set-up ----------------------------------------------------------------------


def ephemeral_ports() -> range:
    """The kernel's range for outgoing connections: a server port in it can be taken by a
    client, or even by a connection to itself while nothing listens there yet."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    except (OSError, ValueError):
        return range(32768, 61000)
    return range(int(low), int(high) + 1)


def ensure_ports_free(*ports: int) -> None:
    """Refuse to start (and so to purge or flush anything) while another run holds a port."""
    for port in ports:
        if port in ephemeral_ports():
            raise SystemExit(f"port {port} is in the ephemeral range: pick a lower BENCH_PORT_BASE")
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine
            try:
                probe.bind((HOST, port))
            except OSError:
                raise SystemExit(
                    f"port {port} is in use: is another benchmark running? "
                    "Set BENCH_PORT_BASE (and BENCH_VHOST, BENCH_DATABASE, BENCH_REDIS_DB) "
                    "to run beside it."
                ) from None


def ensure_vhost() -> None:
    """Create the `apex_bench` vhost (with guest permissions) if it is missing."""
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_vhosts"], check=True, capture_output=True, text=True
    ).stdout.split()
    if VHOST in listed:
        return
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", VHOST], check=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"],
        check=True,
    )


def migrate() -> None:
    """Create database `apex_bench` if needed and apply every service's migrations."""
    done = subprocess.run(
        [str(BIN / "apex"), "db", "migrate"], env=apex_env(), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"apex db migrate failed:\n{(done.stdout + done.stderr)[-3000:]}")


async def flush_redis(url: str) -> None:
    """Empty one bench-only Redis database."""
    redis = Redis.from_url(url)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


async def delete_queues_and_exchanges(queues: Sequence[str], exchanges: Sequence[str]) -> None:
    """Delete queues and exchanges of the bench vhost (missing ones are fine)."""
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        for kind, names in (("queue", queues), ("exchange", exchanges)):
            for name in names:
                delete = channel.queue_delete if kind == "queue" else channel.exchange_delete
                try:
                    await delete(name)
                except aio_pika.exceptions.ChannelClosed:  # refused (not found, in use)
                    channel = await connection.channel()
        await channel.close()
    finally:
        await connection.close()


async def purge_queues(*names: str) -> dict[str, int]:
    """Empty the named queues of the bench vhost (missing ones are skipped)."""
    purged: dict[str, int] = {}
    connection = await aio_pika.connect(AMQP_URL)
    try:
        for name in names:
            channel = await connection.channel()
            try:
                queue = await channel.declare_queue(name, passive=True)
            except aio_pika.exceptions.ChannelClosed:
                continue  # not declared yet
            result = await queue.purge()
            purged[name] = int(result.message_count or 0)
            await channel.close()
    finally:
        await connection.close()
    return purged


# --- subprocesses ------------------------------------------------------------------------


def cancel_on_sigterm() -> None:
    """SIGTERM cancels the calling task, as Ctrl-C does, so every `finally` (and with it
    `Processes.stop_all`) still runs."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


class Processes:
    """Every subprocess a benchmark starts; each is ended by its own pid, even on error.

    Use as `async with Processes() as procs:`. Logs go to a temporary folder that is kept
    (and printed) only when something failed.
    """

    def __init__(self, *, keep_logs: bool = False) -> None:
        self.log_dir = Path(tempfile.mkdtemp(prefix="apex-bench-"))
        self.keep_logs = keep_logs
        self._running: dict[str, asyncio.subprocess.Process] = {}
        self._failed = False

    async def __aenter__(self) -> "Processes":
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop_all()
        if kind is None and not self._failed and not self.keep_logs:
            shutil.rmtree(self.log_dir, ignore_errors=True)
        else:
            print(f"subprocess logs kept in {self.log_dir}", file=sys.stderr)

    def log_of(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    async def start(
        self, name: str, args: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT
    ) -> asyncio.subprocess.Process:
        """Start a long-running process whose output goes to its log file."""
        with self.log_of(name).open("ab") as log:
            proc = await asyncio.create_subprocess_exec(
                *args, stdout=log, stderr=subprocess.STDOUT, env=env or apex_env(), cwd=cwd
            )
        self._running[name] = proc
        return proc

    def pid(self, name: str) -> int:
        return self._running[name].pid

    async def stop(self, name: str, grace_s: float = FINAL_WAIT_S) -> None:
        """SIGTERM, then SIGKILL after the grace period; only this process, by its pid."""
        proc = self._running.pop(name, None)
        if proc is None or proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), grace_s)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()

    async def stop_all(self) -> None:
        for name in reversed(list(self._running)):
            await self.stop(name)

    async def wait_exit(self, name: str, timeout_s: float) -> int:
        """Wait for a bounded process to end by itself (killed after the timeout)."""
        proc = self._running[name]
        try:
            code = await asyncio.wait_for(proc.wait(), timeout_s)
        finally:
            await self.stop(name, grace_s=2.0)
        if code != 0:
            self._failed = True
            raise RuntimeError(f"{name} exited with {code}:\n{self.tail(name)}")
        return code

    def cpu_seconds(self, name: str) -> float:
        """CPU time (user + system) used so far by a process and its live children."""
        return cpu_seconds(self._running[name].pid)

    def check_alive(self, name: str) -> None:
        proc = self._running[name]
        if proc.returncode is not None:
            self._failed = True
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.log_of(name)
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    async def wait_ready(self, name: str, url: str, timeout_s: float = 60.0) -> None:
        """Poll `url` until it answers 200; fail early if the process died."""
        deadline = time.monotonic() + timeout_s
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
            while time.monotonic() < deadline:
                self.check_alive(name)
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with http.get(url) as response:
                        if response.status == 200:
                            await asyncio.sleep(0.1)
                            self.check_alive(name)  # not some other process on that port
                            return
                await asyncio.sleep(0.2)
        self._failed = True
        raise RuntimeError(f"{name} not ready at {url} in {timeout_s:g} s:\n{self.tail(name)}")

    async def run_json(self, name: str, args: Sequence[str], timeout_s: float) -> Any:
        """Run a bounded helper (load generator, publisher) and parse the JSON it prints."""
        proc = await asyncio.create_subprocess_exec(
            *args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=apex_env(),
            cwd=BENCH,
        )
        self._running[name] = proc
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
        finally:
            await self.stop(name, grace_s=2.0)
        if proc.returncode != 0:
            self._failed = True
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{err.decode()[-3000:]}")
        return orjson.loads(out.splitlines()[-1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of `pid` and its live children, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in (pid, *children_of(pid)):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# --- CPU of the shared servers (RabbitMQ, PostgreSQL, Redis), from /proc --------------------
#
# Each server is the tree under its root process (RabbitMQ's `beam.smp` that runs `-s rabbit
# boot`, not the one `rabbitmqctl` starts; the postmaster; `redis-server`), threads included:
# utime + stime of the root and of every live descendant, plus their cutime + cstime, the CPU
# of children they have already reaped. A PostgreSQL backend that ends between two readings is
# reaped by the postmaster, so its whole CPU moves into the postmaster's cutime/cstime and
# nothing is lost; the same holds for a Redis fork (BGSAVE) or an Erlang port program. Lost:
# a process that exited and was not reaped inside the tree (reparented to init), and
# everything when a server restarts between the readings (then no number is given). These are
# shared servers: other vhosts, databases and Redis clients of the machine are counted too.

SERVERS = ("RabbitMQ", "PostgreSQL", "Redis")


class ProcStat:
    """One /proc/<pid>/stat: parent, name and CPU seconds (own, and of reaped children)."""

    __slots__ = ("comm", "own", "ppid", "reaped")

    def __init__(self, text: str, ticks: int) -> None:
        self.comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()  # fields[0] is the state (field 3)
        self.ppid = int(fields[1])
        self.own = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        self.reaped = (int(fields[13]) + int(fields[14])) / ticks  # cutime + cstime


def process_table() -> dict[int, ProcStat]:
    """Every process of the machine, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    table: dict[int, ProcStat] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                table[int(entry.name)] = ProcStat(Path(entry.path, "stat").read_text(), ticks)
            except (OSError, ValueError, IndexError):
                continue  # ended while we looked
    return table


def command_line(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


class ServerCpu:
    """One reading of the servers' CPU; subtract two with `server_cpu_delta`."""

    def __init__(self) -> None:
        table = process_table()

        def parent_comm(pid: int) -> str:
            parent = table.get(table[pid].ppid)
            return parent.comm if parent else ""

        self.roots: dict[str, tuple[int, ...]] = {name: () for name in SERVERS}
        for pid, proc in sorted(table.items()):
            if proc.comm == "beam.smp" and "-s rabbit boot" in command_line(pid):
                name = "RabbitMQ"
            elif proc.comm.startswith("postgres") and not parent_comm(pid).startswith("postgres"):
                name = "PostgreSQL"
            elif proc.comm == "redis-server" and parent_comm(pid) != "redis-server":
                name = "Redis"
            else:
                continue
            self.roots[name] += (pid,)
        children: dict[int, list[int]] = {}
        for pid, proc in table.items():
            children.setdefault(proc.ppid, []).append(pid)
        self.seconds = {name: tree_cpu(table, children, self.roots[name]) for name in SERVERS}
        # PostgreSQL counted the other way, as a cross-check: every live process whose name
        # starts with `postgres`, by pid (a backend that ended in between is lost here), and
        # among them the backends of the bench database, the part other tenants do not share
        # (their command line reads `postgres: [cluster: ]user database host state`).
        self.postgres = {p: s.own for p, s in table.items() if s.comm.startswith("postgres")}
        self.bench_backends = {p for p in self.postgres if f" {DATABASE} " in command_line(p)}
        self.at = time.monotonic()


def tree_cpu(
    table: dict[int, ProcStat], children: dict[int, list[int]], roots: Sequence[int]
) -> float:
    total, todo, seen = 0.0, list(roots), set[int]()
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            total += table[pid].own + table[pid].reaped
            todo += children.get(pid, [])
    return total


def server_cpu_delta(before: ServerCpu, after: ServerCpu) -> dict[str, float | None]:
    """CPU seconds each server used between two readings (None: not found, or restarted);
    plus `PostgreSQL live` (the live-process scan) and `PostgreSQL bench` (its backends of the
    bench database)."""
    delta: dict[str, float | None] = {
        name: after.seconds[name] - before.seconds[name]
        if before.roots[name] and before.roots[name] == after.roots[name]
        else None
        for name in SERVERS
    }
    live = {p: own - before.postgres.get(p, 0.0) for p, own in after.postgres.items()}
    delta["PostgreSQL live"] = sum(live.values())
    delta["PostgreSQL bench"] = sum(v for p, v in live.items() if p in after.bench_backends)
    return delta


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def script(name: str) -> list[str]:
    """The command line of a bench helper script run with this interpreter."""
    return [PYTHON, str(BENCH / name)]


# --- numbers -----------------------------------------------------------------------------


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an ascending sequence (0 when empty)."""
    if not ordered:
        return 0.0
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(latencies_s: list[float], elapsed_s: float, errors: int = 0) -> dict[str, Any]:
    """Count, rate and latency percentiles (milliseconds) of one measured phase."""
    ordered = sorted(latencies_s)
    return {
        "count": len(ordered),
        "errors": errors,
        "elapsed_s": round(elapsed_s, 3),
        "rate": round(len(ordered) / elapsed_s, 1) if elapsed_s > 0 else 0.0,
        "p50_ms": round(percentile(ordered, 50) * 1000, 2),
        "p95_ms": round(percentile(ordered, 95) * 1000, 2),
        "p99_ms": round(percentile(ordered, 99) * 1000, 2),
        "max_ms": round((ordered[-1] if ordered else 0.0) * 1000, 2),
    }


def row(label: str, stats: dict[str, Any], unit: str = "req/s") -> str:
    """One line of a results table."""
    return (
        f"{label:<34} {stats['rate']:>9,.0f} {unit:<10} "
        f"p50 {stats['p50_ms']:>7.2f} ms  p95 {stats['p95_ms']:>7.2f} ms  "
        f"p99 {stats['p99_ms']:>7.2f} ms  n={stats['count']:,} errors={stats['errors']}"
    )


def machine() -> str:
    """When and where: local time, CPU count and the 1-minute load average (noise)."""
    when = dt.datetime.now().astimezone().isoformat(timespec="minutes")
    return f"{when}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"


def ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def serve(app: web.Application, description: str) -> None:
    """Run one of the bench's own servers on `--host`/`--port`: the gateway's aiohttp stack
    (`web.run_app`, no access log)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)
