"""`bench/poles.py`: `POST /signage/common/poles/options` through the gateway, cached and not.

In one run, each phase alone on the machine:
  (e) the whole catalogue evaluated in this process (`pole_options`, no I/O): ms per answer,
  (b) a bare aiohttp handler answering the same path with the same bytes (the HTTP ceiling),
  (c) the gateway, every request a cache hit (closed loop, N connections, full speed),
  (r) the gateway, cache hits at a fixed rate (the target rate) for the latency at that rate,
  (u) the gateway, every request different, so each is validated, missed, computed by
      signage-service over RabbitMQ and stored (closed loop, full speed).
The load generator (`poles.py load`) and the bare handler (`poles.py bare`) run in their own
processes; the gateway and signage-service are one process each, started and stopped here by
pid. Own resources: RabbitMQ vhost `apex_bench_poles`, Redis db 4, ports 29080/29090/291xx
(checked free first).

With N clients in a closed loop the mean latency is N / throughput (Little's law), so the p95
target is read at the target rate (r), not at full speed (c).
"""

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import os
import socket
import statistics
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from harness import (
    BENCH,
    HOST,
    PYTHON,
    Processes,
    apex_env,
    cpu_seconds,
    percentile,
    ratio,
    row,
    summary,
)
from redis.asyncio import Redis

VHOST = "apex_bench_poles"
AMQP_URL = f"amqp://guest:guest@{HOST}:5672/{VHOST}"
REDIS_URL = f"redis://{HOST}:6379/4"
GATEWAY_PORT = 29080  # below the ephemeral range, unlike 47xxx
BARE_PORT = 29090
SIDE_PORTS = {
    "project": 29101,
    "signage": 29102,
    "notification": 29103,
    "document": 29104,
    "audit": 29105,
}
PATH = "/signage/common/poles/options"

CACHED_RATE_TARGET = 1500.0  # req/s
CACHED_P95_TARGET_MS = 10.0
IN_PROCESS_TARGET_MS = 2.0
LEGACY = {"rate": 166.0, "p95_ms": 24.0}  # the system this replaces (issue 4)

SITE = {"wind_speed_mph": 115.0, "exposure": "C"}
SIGN = {"overall_height_ft": 20.0, "cabinets": [{"width_ft": 8.0, "height_ft": 4.0}], "site": SITE}
REQUEST = {"height_ft": 20.0, "sign": SIGN}  # a 20 ft pylon, one 8 x 4 ft cabinet, 115 mph C


def request_body(index: int | None) -> bytes:
    """The benchmark request; with an index, a different wind speed so it is a cache miss."""
    if index is None:
        return orjson.dumps(REQUEST)
    site = {**SITE, "wind_speed_mph": 100.0 + index * 1e-6}
    return orjson.dumps({**REQUEST, "sign": {**SIGN, "site": site}})


def bench_env() -> dict[str, str]:
    """The bench environment, on this benchmark's own vhost, Redis db and ports (no database)."""
    return apex_env(AMQP_URL, REDIS_URL, None, GATEWAY_PORT, SIDE_PORTS)


# --- the load generator (its own process) ------------------------------------------------


async def load(args: argparse.Namespace) -> dict[str, Any]:
    """Closed loop (or a fixed rate) over N keep-alive connections; one JSON line of results."""
    from loadgen import connect  # bench/loadgen.py: a minimal HTTP/1.1 client

    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n"
        f"Authorization: Bearer {args.token}\r\nContent-Type: application/json\r\n"
    ).encode()
    fixed = request_body(None)
    counter = itertools.count()

    def raw() -> bytes:
        body = fixed if args.cached else request_body(next(counter))
        return head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body

    conns = [await connect(args.host, args.port) for _ in range(args.connections)]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    start = time.perf_counter() + 0.05
    measure_from = start + args.warmup
    until = measure_from + args.duration
    due: asyncio.Queue[float | None] = asyncio.Queue()
    done = [0]  # every answer, warm-up included

    async def schedule() -> None:  # fixed rate: latency counts from when a request was due
        for i in itertools.count():
            at = start + i / args.rate
            if at >= until:
                break
            if (delay := at - time.perf_counter()) > 0.0005:
                await asyncio.sleep(delay)
            due.put_nowait(at)
        for _ in conns:
            due.put_nowait(None)

    async def closed(conn: Any) -> None:
        while (sent := time.perf_counter()) < until:
            status, _ = await conn.request(raw())
            done[0] += 1
            if sent >= measure_from:
                statuses[status] += 1
                if status == 200:
                    latencies.append(time.perf_counter() - sent)

    async def paced(conn: Any) -> None:
        while (at := await due.get()) is not None:
            status, _ = await conn.request(raw())
            done[0] += 1
            if at >= measure_from:
                statuses[status] += 1
                if status == 200:
                    latencies.append(time.perf_counter() - at)

    began = time.perf_counter()
    if args.rate:
        await asyncio.gather(schedule(), *(paced(c) for c in conns))
    else:
        await asyncio.gather(*(closed(c) for c in conns))
    wall = time.perf_counter() - began
    errors = sum(n for status, n in statuses.items() if status != 200)
    stats = summary(latencies, args.duration, errors)
    stats["statuses"] = {str(k): v for k, v in statuses.items()}
    stats["target_rate"] = args.rate
    stats["achieved_rate"] = round(done[0] / wall, 1)  # below the target: the server fell behind
    stats["client_cpu_s"] = round(time.process_time(), 2)
    return stats


# --- the bare handler (its own process) --------------------------------------------------


def serve_bare(args: argparse.Namespace) -> None:
    """The same path answered with fixed bytes: no middleware, validation, Redis or broker."""
    from aiohttp import web

    body = Path(args.body).read_bytes()

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=body, content_type="application/json")

    async def ready(_: web.Request) -> web.Response:
        return web.Response(body=b"{}", content_type="application/json")

    app = web.Application()
    app.router.add_post(PATH, answer)
    app.router.add_get("/ready", ready)
    web.run_app(app, host=HOST, port=args.port, access_log=None, print=None)


# --- the run -----------------------------------------------------------------------------


def ensure_vhost() -> None:
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_vhosts"], check=True, capture_output=True, text=True
    ).stdout.split()
    if VHOST not in listed:
        subprocess.run(["rabbitmqctl", "-q", "add_vhost", VHOST], check=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"],
        check=True,
    )


def ensure_ports_free() -> None:
    """Refuse to start when another process holds a port: its answers would be measured."""
    for port in (GATEWAY_PORT, BARE_PORT, SIDE_PORTS["signage"]):
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError as exc:
                raise SystemExit(f"port {port} is in use ({exc}); stop that process first") from exc


def mint_token() -> str:
    """A viewer token from `apex token`, signed as the bench gateway verifies them."""
    apex = Path(PYTHON).with_name("apex")
    argv = [str(apex), "token", "--account", "bench", "--sub", "poles", "--roles", "viewer"]
    done = subprocess.run(argv, env=bench_env(), check=True, capture_output=True, text=True)
    return done.stdout.strip()


async def flush_redis() -> None:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


def in_process(count: int) -> dict[str, Any]:
    """`pole_options` for the benchmark request, the whole catalogue each time, no I/O."""
    from apex_contracts.signage import PolesOptionsRequest
    from apex_signage import pole_options, warm_up

    warm_up()
    request = PolesOptionsRequest.model_validate(REQUEST)
    reply = pole_options(request)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        pole_options(request)
        times.append(time.perf_counter() - started)
    times.sort()
    return {
        "evaluated": reply.evaluated_count,
        "feasible": reply.feasible_count,
        "mean_ms": round(statistics.fmean(times) * 1000, 3),
        "p50_ms": round(percentile(times, 50) * 1000, 3),
        "p95_ms": round(percentile(times, 95) * 1000, 3),
        "envelope": {
            "result": reply.model_dump(mode="json"),
            "errors": [],
            "assumptions": reply.assumptions,
            "confidence": 1.0,
            "trace": {"trace_id": "0" * 32},
        },
    }


async def run_load(
    procs: Processes,
    name: str,
    args: argparse.Namespace,
    *,
    port: int,
    cached: bool,
    rate: float = 0.0,
) -> dict[str, Any]:
    argv = [PYTHON, str(BENCH / "poles.py"), "load", "--port", str(port), "--token", args.token]
    argv += ["--connections", str(args.connections), "--duration", str(args.duration)]
    argv += ["--warmup", str(args.warmup), "--rate", str(rate)]
    argv += ["--cached"] if cached else []
    await procs.start(name, argv, env=bench_env(), cwd=BENCH)
    await procs.wait_exit(name, args.duration + args.warmup + 60)
    stats: dict[str, Any] = orjson.loads(procs.log_of(name).read_text().splitlines()[-1])
    if stats["errors"]:
        raise RuntimeError(f"{name}: non-200 answers {stats['statuses']}")
    return stats


async def cache_status(http: aiohttp.ClientSession, token: str, body: bytes) -> str:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with http.post(f"http://{HOST}:{GATEWAY_PORT}{PATH}", data=body, headers=headers) as r:
        await r.read()
        if r.status != 200:
            raise RuntimeError(f"gateway answered {r.status}")
        return r.headers.get("Cache-Status", "")


async def gateway_phases(procs: Processes, args: argparse.Namespace) -> dict[str, Any]:
    env = bench_env()
    await procs.start("signage-service", [PYTHON, "-m", "apex_signage"], env=env)
    await procs.wait_ready("signage-service", f"http://{HOST}:{SIDE_PORTS['signage']}/ready")
    gateway_env = dict(env, **dict(pair.split("=", 1) for pair in args.gateway_env))
    await procs.start("gateway", [PYTHON, "-m", "apex_gateway"], env=gateway_env)
    await procs.wait_ready("gateway", f"http://{HOST}:{GATEWAY_PORT}/ready")
    results: dict[str, Any] = {}
    async with aiohttp.ClientSession() as http:
        first = await cache_status(http, args.token, request_body(None))
        second = await cache_status(http, args.token, request_body(None))
        fresh = await cache_status(http, args.token, request_body(999_999))
        results["probes"] = [first, second, fresh]
        if not (second.startswith("apex; hit") and "fwd=miss; stored" in fresh):
            raise RuntimeError(f"the cache does not behave: {results['probes']}")

        gateway_cpu = cpu_seconds(procs.pid("gateway"))
        results["cached"] = await run_load(
            procs, "load-cached", args, port=GATEWAY_PORT, cached=True
        )
        used = cpu_seconds(procs.pid("gateway")) - gateway_cpu
        served = results["cached"]["rate"] * (args.duration + args.warmup)
        results["cached"]["gateway_cpu_ms_per_request"] = round(1000 * used / served, 3)
        results["rated"] = await run_load(
            procs, "load-rated", args, port=GATEWAY_PORT, cached=True, rate=args.rate
        )
        service_cpu = cpu_seconds(procs.pid("signage-service"))
        results["uncached"] = await run_load(
            procs, "load-uncached", args, port=GATEWAY_PORT, cached=False
        )
        used = cpu_seconds(procs.pid("signage-service")) - service_cpu
        served = results["uncached"]["rate"] * (args.duration + args.warmup)
        results["uncached"]["service_cpu_ms_per_request"] = round(1000 * used / served, 3)
        async with http.get(f"http://{HOST}:{GATEWAY_PORT}/metrics") as r:
            results["cache_counts"] = {
                line.split('outcome="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
                for line in (await r.text()).splitlines()
                if line.startswith("apex_gateway_answer_cache_total{")
            }
    await procs.stop("gateway")
    await procs.stop("signage-service")
    return results


async def run(args: argparse.Namespace) -> dict[str, Any]:
    ensure_ports_free()
    ensure_vhost()
    args.token = mint_token()
    await flush_redis()
    results: dict[str, Any] = {"in_process": in_process(args.evaluations)}
    body_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"apex-bench-poles-{os.getpid()}.json"
    body_file.write_bytes(orjson.dumps(results["in_process"].pop("envelope")))
    results["body_bytes"] = body_file.stat().st_size
    try:
        async with Processes(keep_logs=args.keep_logs) as procs:
            bare_argv = [PYTHON, str(BENCH / "poles.py"), "bare", "--port", str(BARE_PORT)]
            await procs.start(
                "bare", [*bare_argv, "--body", str(body_file)], env=bench_env(), cwd=BENCH
            )
            await procs.wait_ready("bare", f"http://{HOST}:{BARE_PORT}/ready")
            results["bare"] = await run_load(procs, "load-bare", args, port=BARE_PORT, cached=True)
            await procs.stop("bare")
            results.update(await gateway_phases(procs, args))
    finally:
        body_file.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            await flush_redis()
    return results


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    when = dt.datetime.now().astimezone().isoformat(timespec="minutes")
    ev, bare = results["in_process"], results["bare"]
    cached, rated, uncached = results["cached"], results["rated"], results["uncached"]
    print(f"\nAPEX poles benchmark, {when}, {os.cpu_count()} CPUs; POST {PATH}")
    print(
        f"{args.duration:g} s per phase after {args.warmup:g} s warm-up, "
        f"{args.connections} connections; answer {results['body_bytes']:,} bytes\n"
    )
    print(
        f"(e) in process, whole catalogue ({ev['evaluated']} sections, {ev['feasible']} pass): "
        f"mean {ev['mean_ms']:.3f} ms  p50 {ev['p50_ms']:.3f} ms  p95 {ev['p95_ms']:.3f} ms"
    )
    print(row("(b) bare aiohttp handler", bare))
    print(row("(c) gateway, cached", cached))
    print(row(f"(r) gateway, cached at {rated['target_rate']:,.0f} req/s", rated))
    print(f"    (r) achieved {rated['achieved_rate']:,.0f} req/s over the whole phase")
    print(row("(u) gateway, uncached", uncached))
    print()
    print(f"cached / bare handler        {ratio(cached['rate'], bare['rate']):.2f}")
    print(f"uncached / cached            {ratio(uncached['rate'], cached['rate']):.2f}")
    print(f"cached / legacy (166 req/s)  {ratio(cached['rate'], LEGACY['rate']):.1f}x")
    print(f"uncached / legacy            {ratio(uncached['rate'], LEGACY['rate']):.1f}x")
    print(f"gateway CPU per cached hit   {cached['gateway_cpu_ms_per_request']:.3f} ms")
    print(f"service CPU per uncached     {uncached['service_cpu_ms_per_request']:.3f} ms")
    print(f"cache outcomes (gateway)     {results['cache_counts']}")
    print()
    checks = [
        (
            "cached throughput",
            cached["rate"] >= CACHED_RATE_TARGET,
            f"{cached['rate']:,.0f} req/s >= {CACHED_RATE_TARGET:,.0f}",
        ),
        (
            "cached p95 at target rate",
            rated["p95_ms"] <= CACHED_P95_TARGET_MS,
            f"{rated['p95_ms']:.2f} ms <= {CACHED_P95_TARGET_MS:g} ms",
        ),
        (
            "in-process evaluation",
            ev["mean_ms"] <= IN_PROCESS_TARGET_MS,
            f"{ev['mean_ms']:.3f} ms <= {IN_PROCESS_TARGET_MS:g} ms",
        ),
    ]
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name:<28} {detail}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", nargs="?", default="run", choices=("run", "load", "bare"))
    parser.add_argument("--duration", type=float, default=15.0, help="measured s per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured s per phase")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--rate",
        type=float,
        default=CACHED_RATE_TARGET,
        help="req/s of the fixed-rate phase (load: 0 = closed loop)",
    )
    parser.add_argument("--evaluations", type=int, default=2000, help="in-process repetitions")
    parser.add_argument(
        "--gateway-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the gateway (experiments, e.g. OTEL_SDK_DISABLED=true)",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep subprocess logs")
    parser.add_argument("--json", metavar="PATH", help="also write the results here")
    # the helper roles
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=GATEWAY_PORT)
    parser.add_argument("--token", default="")
    parser.add_argument("--cached", action="store_true", help="load: the same body every time")
    parser.add_argument("--body", help="bare: the file whose bytes it answers with")
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.role == "load":
        print(orjson.dumps(asyncio.run(load(args))).decode())
        return
    if args.role == "bare":
        serve_bare(args)
        return
    results = asyncio.run(run(args))
    report(results, args)
    if args.json:
        Path(args.json).write_bytes(orjson.dumps(results))


if __name__ == "__main__":
    main()
