"""`make bench`, part 1: how fast the gateway accepts `POST /projects`, against its ceilings.

In one run, each phase alone on the machine:
  (a) the gateway at full speed (closed loop, 32 connections),
  (b) a bare aiohttp handler returning a fixed JSON body, under the same load generator,
  (c) raw aio-pika publishing of the same command with confirms, 32 in flight, no HTTP,
  (n) the issue's naive handler (`naive_app.py`: parse, one Redis write, confirmed publish,
      no guarantee), for what one Python process reaches before the gateway adds anything,
  (d) the gateway again at half the rate measured in (a), for its p99,
  (e) the price of each guarantee: the gateway with authentication, rate limit and
      idempotency switched on one after another (`gateway_variant.py`), as ratios to the
      plain accept path without any of them.
The load generator and the publisher run in their own processes; the gateway is one process.
project-service runs only long enough to declare and bind its queue, which then fills and is
purged after each phase. `--profile` adds a py-spy recording of the gateway under full load.
"""

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import spy
from harness import (
    APEX_REDIS_URL,
    AUDIT_COMMANDS_QUEUE,
    BARE_PORT,
    BENCH,
    GATEWAY_PORT,
    HOST,
    NAIVE_PORT,
    PROJECT_QUEUE,
    PYTHON,
    SIDE_PORTS,
    Processes,
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

P99_TARGET_MS = 25.0
RAW_RATIO_TARGET = 0.60
GUARANTEES_RATIO_TARGET = 0.75
PHASES = ("bare", "raw", "naive", "gateway", "guarantees")
# (label, guarantees switched off, a new Idempotency-Key on every request)
VARIANTS = (
    ("plain accept path", ("auth", "rate-limit"), False),
    ("+ authentication (JWT)", ("rate-limit",), False),
    ("+ rate limit (GCRA in Redis)", (), False),
    ("+ Idempotency-Key: every guarantee", (), True),
)


def loadgen(mode: str, port: int, args: argparse.Namespace, **extra: float) -> list[str]:
    argv = [*script("loadgen.py"), mode, "--port", str(port)]
    argv += ["--connections", str(args.connections), "--duration", str(args.duration)]
    argv += ["--warmup", str(args.warmup)]
    if args.token:
        argv += ["--token", args.token]
    for name, value in extra.items():
        argv += [f"--{name.replace('_', '-')}", str(value)]
    return argv


def budget(args: argparse.Namespace) -> float:
    """Seconds a bounded helper may take before it is killed."""
    return args.duration + args.warmup + 60.0


async def purge_accepted() -> int:
    """Empty the queues the commands went to; how many project-service's queue held."""
    purged = await purge_queues(PROJECT_QUEUE, AUDIT_COMMANDS_QUEUE)
    return purged.get(PROJECT_QUEUE, 0)


async def declare_command_queue(procs: Processes) -> None:
    """Run project-service just long enough to declare and bind its command queue."""
    await procs.start("project-service", [PYTHON, "-m", "apex_projects"])
    await procs.wait_ready("project-service", f"http://{HOST}:{SIDE_PORTS['project']}/ready")
    await procs.stop("project-service")
    await purge_accepted()


async def measure_app(
    procs: Processes, args: argparse.Namespace, name: str, port: int
) -> dict[str, Any]:
    """Full-speed load against one of the bench's own servers (`<name>_app.py`)."""
    await procs.start(name, [*script(f"{name}_app.py"), "--port", str(port)], cwd=BENCH)
    try:
        await procs.wait_ready(name, f"http://{HOST}:{port}/ready")
        stats = await drive(procs, name, loadgen("closed", port, args), budget(args))
    finally:
        await procs.stop(name)
    stats["queued"] = await purge_accepted()
    return stats


async def measure_raw_publish(procs: Processes, args: argparse.Namespace) -> dict[str, Any]:
    argv = [*script("raw_publish.py"), "--in-flight", str(args.connections)]
    argv += ["--duration", str(args.duration), "--warmup", str(args.warmup)]
    stats: dict[str, Any] = await procs.run_json("raw-publish", argv, budget(args))
    stats["queued"] = await purge_accepted()
    stats["cpu_ms_per_request"] = round(stats["cpu_s"] * 1000 / max(1, stats["sent"]), 3)
    return stats


async def drive(procs: Processes, server: str, argv: list[str], budget_s: float) -> dict[str, Any]:
    """Run the load generator against `server`; add the server's CPU use during the run."""
    cpu, wall = procs.cpu_seconds(server), time.monotonic()
    stats: dict[str, Any] = await procs.run_json("loadgen", argv, budget_s)
    cpu, wall = procs.cpu_seconds(server) - cpu, time.monotonic() - wall
    stats["server_cores"] = round(cpu / wall, 2)
    stats["cpu_ms_per_request"] = round(cpu * 1000 / max(1, stats["sent"]), 3)
    stats["client_cpu_ms_per_request"] = round(stats["client_cpu_s"] * 1000 / stats["sent"], 3)
    return stats


async def load_gateway(procs: Processes, argv: list[str], budget_s: float) -> dict[str, Any]:
    stats = await drive(procs, "gateway", argv, budget_s)
    stats["queued"] = await purge_accepted()
    return stats


async def profile_gateway(procs: Processes, args: argparse.Namespace) -> dict[str, Any]:
    """Record the gateway with py-spy while the load generator drives it at full speed."""
    out = Path(args.profile)
    seconds = max(5, int(args.profile_seconds))
    argv = loadgen("closed", GATEWAY_PORT, args)
    argv[argv.index("--duration") + 1] = str(seconds + 2)
    recording = spy.record(procs, "gateway", out, args.warmup + 0.5, seconds)
    load, _ = await asyncio.gather(load_gateway(procs, argv, budget(args) + seconds), recording)
    return {"path": str(out), "load": load}


async def measure_gateway(
    procs: Processes, args: argparse.Namespace
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    command = [PYTHON, "-m", "apex_gateway"]
    await procs.start("gateway", command, env=extra_env(args.gateway_env))
    try:
        await procs.wait_ready("gateway", f"http://{HOST}:{GATEWAY_PORT}/ready")
        full = await load_gateway(procs, loadgen("closed", GATEWAY_PORT, args), budget(args))
        rate = max(1.0, round(full["rate"] / 2))
        half = await load_gateway(
            procs, loadgen("rate", GATEWAY_PORT, args, rate=rate), budget(args)
        )
        profile = await profile_gateway(procs, args) if args.profile else None
        return full, half, profile
    finally:
        await procs.stop("gateway")


async def measure_guarantees(procs: Processes, args: argparse.Namespace) -> list[dict[str, Any]]:
    """(e): the same full-speed load against the gateway with more guarantees each time."""
    measured = []
    for label, without, keyed in VARIANTS:
        command = [*script("gateway_variant.py"), "--without", *without]
        await procs.start("gateway", command, env=extra_env(args.gateway_env), cwd=BENCH)
        try:
            await procs.wait_ready("gateway", f"http://{HOST}:{GATEWAY_PORT}/ready")
            argv = loadgen("closed", GATEWAY_PORT, args)
            if keyed:
                argv.append("--idempotency-keys")
            stats = await load_gateway(procs, argv, budget(args))
        finally:
            await procs.stop("gateway")
        await flush_redis(APEX_REDIS_URL)  # drop the idempotency records between variants
        measured.append({"label": label, **stats})
    return measured


async def run(args: argparse.Namespace) -> dict[str, Any]:
    cancel_on_sigterm()
    ensure_ports_free(GATEWAY_PORT, BARE_PORT, NAIVE_PORT, SIDE_PORTS["project"])
    ensure_vhost()
    migrate()
    await flush_redis(APEX_REDIS_URL)
    results: dict[str, Any] = {}
    try:
        async with Processes(keep_logs=args.keep_logs) as procs:
            await declare_command_queue(procs)
            if "bare" in args.phases:
                results["bare"] = await measure_app(procs, args, "bare", BARE_PORT)
            if "raw" in args.phases:
                results["raw"] = await measure_raw_publish(procs, args)
            if "naive" in args.phases:
                results["naive"] = await measure_app(procs, args, "naive", NAIVE_PORT)
                await flush_redis(APEX_REDIS_URL)
            if "gateway" in args.phases:
                gateway, half, profile = await measure_gateway(procs, args)
                results.update(gateway=gateway, half=half, profile=profile)
            if "guarantees" in args.phases:
                results["guarantees"] = await measure_guarantees(procs, args)
    finally:
        await purge_accepted()
        await flush_redis(APEX_REDIS_URL)
    return results


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\nAPEX accept benchmark, {machine()}")
    print(f"{args.duration:g} s per phase after {args.warmup:g} s warm-up, ", end="")
    print(f"{args.connections} connections / publishes in flight\n")
    bare, raw, full, half = (results.get(k) for k in ("bare", "raw", "gateway", "half"))
    if bare:
        print(row("(b) bare aiohttp handler", bare) + "\n" + cpu_line(bare))
    if raw:
        print(row("(c) raw aio-pika publish+confirm", raw, "msg/s") + "\n" + cpu_line(raw))
    naive = results.get("naive")
    if naive:
        print(row("(n) naive handler (no guarantee)", naive) + "\n" + cpu_line(naive))
    if full and half:
        print(row("(a) gateway POST /projects", full) + "\n" + cpu_line(full))
        label = f"(d) gateway at {half['target_rate']:,.0f} req/s (50%)"
        print(row(label, half) + "\n" + cpu_line(half))
        print(f"\ngateway p99 at half load    {half['p99_ms']:.1f} ms", end="")
        print(f" (target <= {P99_TARGET_MS:g} ms)")
        print(f"queued by gateway (a)       {full['queued']:,} commands incl. warm-up")
    if full and bare:
        print(f"gateway / bare handler      {ratio(full['rate'], bare['rate']):.2f}")
    if naive and raw:
        print(f"naive handler / raw publish {ratio(naive['rate'], raw['rate']):.2f}")
    if full and naive:
        print(f"gateway / naive handler     {ratio(full['rate'], naive['rate']):.2f}")
    if full and raw:
        to_raw = ratio(full["rate"], raw["rate"])
        print(f"gateway / raw publish       {to_raw:.2f}   (target >= {RAW_RATIO_TARGET:.2f})")
    if results.get("guarantees"):
        print_guarantees(results["guarantees"])
    if results.get("profile"):
        print_profile(results["profile"])


def print_guarantees(variants: list[dict[str, Any]]) -> None:
    plain = variants[0]["rate"]
    print("\n(e) what each guarantee costs (full speed; ratio to the plain accept path)")
    for stats in variants:
        line = row(stats["label"], stats)
        print(f"{line}  x{ratio(stats['rate'], plain):.2f}")
        print(cpu_line(stats))
    every = ratio(variants[-1]["rate"], plain)
    print(f"every guarantee / plain      {every:.2f}   (target >= {GUARANTEES_RATIO_TARGET:.2f})")


def cpu_line(stats: dict[str, Any]) -> str:
    """Where the CPU went: the measured process per request, and the load generator."""
    line = f"{'':<34} CPU {stats['cpu_ms_per_request']:.3f} ms/request"
    if "server_cores" in stats:
        line += f" ({stats['server_cores']:.2f} cores busy)"
        line += f", load generator {stats['client_cpu_ms_per_request']:.3f} ms/request"
    return line


def print_profile(profile: dict[str, Any]) -> None:
    print(f"\npy-spy profile of the gateway under full load: {profile['path']}")
    print(row("gateway while profiled", profile["load"]) + "\n")
    cpu_ms = profile["load"]["cpu_ms_per_request"]
    print(spy.report(Path(profile["path"]), cpu_ms, unit="command"))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="measured s per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured s per phase")
    parser.add_argument("--connections", type=int, default=32, help="also publishes in flight")
    parser.add_argument(
        "--phases",
        nargs="+",
        choices=PHASES,
        default=list(PHASES),
        help="run only some phases (gateway = (a) and (d))",
    )
    parser.add_argument("--profile", metavar="PATH", help="py-spy raw output (needs py-spy)")
    parser.add_argument("--profile-seconds", type=float, default=15.0)
    parser.add_argument(
        "--gateway-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the gateway (experiments, e.g. OTEL_SDK_DISABLED=true)",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep subprocess logs")
    parser.add_argument("--json", metavar="PATH", help="also write the results here")
    return parser.parse_args()


def main() -> None:
    args = parse()
    args.token = bearer_token()
    if args.profile:
        spy.executable()
    try:
        results = asyncio.run(run(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        sys.exit("interrupted; every process this run started has been stopped")
    report(results, args)
    if args.json:
        Path(args.json).write_bytes(orjson.dumps(results, default=str))


if __name__ == "__main__":
    main()
