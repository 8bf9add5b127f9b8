"""Submission benchmark: `POST /projects/{id}/submit` to the PM's email in a local SMTP sink.

Every service runs as its own process (one document-service process), on the bench vhost,
database and Redis (see harness.py); an aiosmtpd sink in this process catches the emails and
stamps their arrival on the same monotonic clock the client stamps each submit with. Projects
(with a PM address each and a design payload) are made first, unmeasured; then `--clients`
concurrent clients each submit one, wait for its email, and move on to the next.

Reported: p50/p95 submit-to-email (target p95 <= 3 s), throughput, and the render child task's
time per page (from the task tree: accepted to SUCCESS, so it includes queueing).
"""

import argparse
import asyncio
import datetime as dt
import os
import socket
import sys
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from harness import (
    APEX_REDIS_URL,
    GATEWAY_PORT,
    HOST,
    PYTHON,
    SIDE_PORTS,
    Processes,
    bearer_token,
    ensure_vhost,
    extra_env,
    flush_redis,
    migrate,
    percentile,
    purge_queues,
    summary,
)

SMTP_PORT = 28025
TARGET_P95_S = 3.0
SERVICES = {
    "project-service": ("apex_projects", "project"),
    "signage-service": ("apex_signage", "signage"),
    "document-service": ("apex_documents", "document"),
    "notification-service": ("apex_notifications", "notification"),
    "audit-service": ("apex_audit", "audit"),
}
QUEUES = (
    "project-service.commands",
    "document-service.events",
    "notification-service.events",
    "notification-service.webhooks",
    "audit-service.events",
)
CONFIG = orjson.loads(
    (
        Path(__file__).resolve().parents[1] / "document-service/tests/data/single_pole_request.json"
    ).read_bytes()
)


@dataclass
class Sink:
    """aiosmtpd handler: the arrival time of each recipient's first email."""

    loop: asyncio.AbstractEventLoop
    arrived: dict[str, float] = field(default_factory=dict)
    waiters: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    emails: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        now = time.monotonic()
        message = message_from_bytes(envelope.original_content or b"", policy=default)
        attached = sum(1 for _ in message.iter_attachments())  # type: ignore[attr-defined]
        for rcpt in envelope.rcpt_tos:
            self.loop.call_soon_threadsafe(self._arrived, rcpt, now, attached)
        return "250 Message accepted"

    def _arrived(self, rcpt: str, at: float, attached: int) -> None:
        self.emails += 1
        self.arrived.setdefault(rcpt, at)
        future = self.waiters.get(rcpt)
        if future is not None and not future.done():
            future.set_result(at)

    async def wait(self, rcpt: str, timeout_s: float) -> float:
        if rcpt in self.arrived:
            return self.arrived[rcpt]
        future = self.waiters.setdefault(rcpt, self.loop.create_future())
        return await asyncio.wait_for(future, timeout_s)


def env(args: argparse.Namespace) -> dict[str, str]:
    return extra_env(
        [
            f"APEX_SMTP_HOST={HOST}",
            f"APEX_SMTP_PORT={SMTP_PORT}",
            f"APEX_PUBLIC_BASE_URL=http://{HOST}:{GATEWAY_PORT}",
            *args.apex_env,
        ]
    )


async def prepare() -> None:
    ensure_vhost()
    migrate()
    await flush_redis(APEX_REDIS_URL)
    await purge_queues(*QUEUES)


async def call(
    http: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
) -> tuple[int, Any]:
    async with http.request(method, path, **kwargs) as response:
        return response.status, await response.json()


async def ready_project(http: aiohttp.ClientSession, run: str, i: int) -> tuple[str, str]:
    """A project with a PM of its own and a design payload, ready to submit."""
    pm = f"pm-{run}-{i}@example.com"
    wait = {"Prefer": "wait=30"}
    body = {"name": f"Bench pylon {i}", "customer": "Bench Signs", "pm_email": pm}
    status, created = await call(http, "POST", "/projects", json=body, headers=wait)
    assert status == 201, created
    project_id = created["result"]["result"]["project_id"]
    payload = {"module": "signage.single_pole", "config": CONFIG}
    status, saved = await call(
        http, "POST", f"/projects/{project_id}/payload", json=payload, headers=wait
    )
    assert status == 200, saved
    return project_id, pm


async def render_seconds_per_page(http: aiohttp.ClientSession, task_id: str) -> float | None:
    """The render child's accepted-to-SUCCESS time divided by the package's pages."""
    status, task = await call(http, "GET", f"/tasks/{task_id}")
    if status != 200:
        return None
    for child in task["result"].get("children", []):
        if child["kind"] != "render_document" or child["state"] != "SUCCESS":
            continue
        status, full = await call(http, "GET", f"/tasks/{child['task_id']}")
        result = full.get("result") if status == 200 else None
        if not result:
            return None
        pages = (result.get("result") or {}).get("pages") or 0
        if not pages:
            return None
        started = dt.datetime.fromisoformat(result["created_at"])
        ended = dt.datetime.fromisoformat(result["updated_at"])
        return float((ended - started).total_seconds() / pages)
    return None


async def measure(args: argparse.Namespace, sink: Sink) -> dict[str, Any]:
    token = bearer_token()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    base = f"http://{HOST}:{GATEWAY_PORT}"
    run = dt.datetime.now().strftime("%H%M%S")
    async with aiohttp.ClientSession(base_url=base, headers=headers) as http:
        total = args.count + args.warmup_count
        ready: list[tuple[str, str]] = []
        for start in range(0, total, 20):
            ready += await asyncio.gather(
                *(ready_project(http, run, i) for i in range(start, min(start + 20, total)))
            )
        queue: asyncio.Queue[tuple[int, str, str]] = asyncio.Queue()
        for i, (project_id, pm) in enumerate(ready):
            queue.put_nowait((i, project_id, pm))
        latencies: list[float] = []
        tasks: list[str] = []
        failures: list[str] = []
        errors = 0

        async def client() -> None:
            nonlocal errors
            while not queue.empty():
                i, project_id, pm = queue.get_nowait()
                sent = time.monotonic()
                status, body = await call(http, "POST", f"/projects/{project_id}/submit")
                if status != 202:
                    errors += 1
                    failures.append(f"submit {project_id}: {status} {body.get('errors')}")
                    continue
                try:
                    arrived = await sink.wait(pm, args.timeout_s)
                except TimeoutError:
                    errors += 1
                    failures.append(f"no email for task {body['result']['task_id']}")
                    continue
                if i >= args.warmup_count:
                    latencies.append(arrived - sent)
                    tasks.append(body["result"]["task_id"])

        began = time.monotonic()
        await asyncio.gather(*(client() for _ in range(args.clients)))
        elapsed = time.monotonic() - began
        per_page = [
            s
            for s in await asyncio.gather(*(render_seconds_per_page(http, t) for t in tasks))
            if s is not None
        ]
    for failure in failures[:10]:
        print(failure, file=sys.stderr)
    stats = summary(latencies, elapsed, errors)
    ordered = sorted(per_page)
    stats["render_s_per_page_p50"] = round(percentile(ordered, 50), 3)
    stats["render_s_per_page_p95"] = round(percentile(ordered, 95), 3)
    stats["emails"] = sink.emails
    return stats


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with socket.socket() as probe:
        if probe.connect_ex((HOST, SMTP_PORT)) == 0:
            raise SystemExit(f"{HOST}:{SMTP_PORT} is taken; the bench SMTP sink needs it")
    await prepare()
    sink = Sink(asyncio.get_running_loop())
    controller = Controller(sink, hostname=HOST, port=SMTP_PORT)
    controller.start()
    try:
        async with Processes(keep_logs=args.keep_logs) as procs:
            for name, (module, _) in SERVICES.items():
                await procs.start(name, [PYTHON, "-m", module], env=env(args))
            await procs.start("gateway", [PYTHON, "-m", "apex_gateway"], env=env(args))
            for name, (_, port_name) in SERVICES.items():
                await procs.wait_ready(name, f"http://{HOST}:{SIDE_PORTS[port_name]}/ready")
            await procs.wait_ready("gateway", f"http://{HOST}:{GATEWAY_PORT}/ready")
            return await measure(args, sink)
    finally:
        controller.stop()
        await purge_queues(*QUEUES)
        await flush_redis(APEX_REDIS_URL)


def report(stats: dict[str, Any], args: argparse.Namespace) -> None:
    when = dt.datetime.now().astimezone().isoformat(timespec="minutes")
    print(f"\nAPEX submission benchmark, {when}, {os.cpu_count()} CPUs, one document-service")
    print(f"{stats['count']} submissions (after {args.warmup_count} unmeasured) from", end="")
    print(f" {args.clients} concurrent clients; errors {stats['errors']}\n")
    p95_s = stats["p95_ms"] / 1000
    verdict = "meets" if p95_s <= TARGET_P95_S else "MISSES"
    print(f"submit -> email received   p50 {stats['p50_ms'] / 1000:.2f} s", end="")
    print(f"  p95 {p95_s:.2f} s  max {stats['max_ms'] / 1000:.2f} s", end="")
    print(f"  ({verdict} p95 <= {TARGET_P95_S:g} s)")
    print(f"throughput                 {stats['rate']:.1f} submissions/s")
    print(f"render task per page       p50 {stats['render_s_per_page_p50']:.3f} s", end="")
    print(f"  p95 {stats['render_s_per_page_p95']:.3f} s (queueing included)")
    print(orjson.dumps(stats).decode(), file=sys.stderr)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="measured submissions")
    parser.add_argument("--warmup-count", type=int, default=10, help="unmeasured submissions")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--timeout-s", type=float, default=60.0, help="longest wait for an email")
    parser.add_argument(
        "--apex-env", action="append", default=[], metavar="KEY=VALUE",
        help="extra environment for the APEX processes (experiments)",
    )  # fmt: skip
    parser.add_argument("--keep-logs", action="store_true", help="keep subprocess logs")
    return parser.parse_args()


def main() -> None:
    args = parse()
    stats = asyncio.run(run(args))
    report(stats, args)


if __name__ == "__main__":
    main()
