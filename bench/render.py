"""Render benchmark: calculation packages per second in one process, and time per page.

No broker, database or service: document-service's renderer alone, on the packages real
submissions produce. The designs vary (height, cabinets, wind, soil) and signage's engineering
is computed for each beforehand, unmeasured, so only templating, layout and PDF writing count.

Phases, each in this one process (target: >= 5 packages/s per process):
  (a) direct:   PackageRenderer.render, one package after another;
  (b) service:  the path document-service takes, `ThreadedRenderer` (one worker thread) driven
                from asyncio with `--in-flight` packages queued, as a busy consumer would;
  (c) fallback: packages without engineering (signage unavailable: the saved payload shown).
Reported per phase: packages/s (wall and CPU), p50/p95 per package, time per page, pages.
"""

import argparse
import asyncio
import datetime as dt
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import orjson
from harness import percentile

from apex_contracts.projects import PayloadView, ProjectSite, ProjectSubmitted, ProjectView
from apex_contracts.signage import SinglePoleDesignRequest
from apex_documents.app import ThreadedRenderer
from apex_documents.package import Package, build_package, design_request
from apex_documents.render import PackageRenderer
from apex_runtime.collector import freeze_startup_heap
from apex_runtime.worker_thread import WorkerThread
from apex_signage import design_single_pole

TARGET_PACKAGES_PER_S = 5.0
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def design(i: int) -> dict[str, Any]:
    """A plausible single-pole sign, different for each i (one to three cabinets)."""
    height = 14 + (i % 9) * 2.5
    cabinets = [{"width_ft": 6 + (i % 5), "height_ft": 3 + (i % 3)}]
    if i % 3:
        cabinets.append({"width_ft": 4 + (i % 4), "height_ft": 2})
    if i % 4 == 3:
        cabinets.append({"width_ft": 3, "height_ft": 1.5})
    return {
        "sign": {
            "overall_height_ft": height,
            "cabinets": cabinets,
            "site": {"wind_speed_mph": 105 + (i % 6) * 10, "exposure": "BCD"[i % 3]},
        },
        "prefs": {"family": [["pipe"], ["hss_round", "pipe"], ["hss_square"]][i % 3]},
        "soil": {"soil_class": 2 + i % 3},
        "footing": {"diameter_ft": 2 + (i % 3) * 0.5},
    }


def submission(config: dict[str, Any], i: int) -> ProjectSubmitted:
    project_id = uuid4()
    project = ProjectView(
        project_id=project_id, account="bench", name=f"Bench pylon {i}", customer="Acme Signs",
        pm_email="pm@example.com", notes=None, status="submitted",
        site=ProjectSite(address=f"{i} Main St", wind_speed_mph=115, exposure="C"),
        version=3, created_by="bench", created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    payload = PayloadView(
        project_id=project_id, module="signage.single_pole", config=config, payload_version=1,
        sha256=f"{i:064x}", saved_by="bench", saved_at=NOW,
    )  # fmt: skip
    return ProjectSubmitted(
        project_id=project_id, account="bench", actor="bench", occurred_at=NOW,
        submission_id=uuid4(), submission_number=1, submitted_by="bench", submitted_at=NOW,
        project=project, payload=payload,
    )  # fmt: skip


def packages(count: int, engineering: bool) -> list[Package]:
    out = []
    for i in range(count):
        event = submission(design(i), i)
        request, why = design_request(event.payload.module, event.payload.config)
        assert request is not None, why
        reply = design_single_pole(SinglePoleDesignRequest.model_validate(design(i)))
        notice = None if engineering else "signage-service did not answer in 3 s"
        out.append(build_package(event, request, reply if engineering else None, notice, "0" * 32))
    return out


def stats(durations: list[float], pages: list[int], wall_s: float, cpu_s: float) -> dict[str, Any]:
    ordered = sorted(durations)
    return {
        "packages": len(durations),
        "packages_per_s": round(len(durations) / wall_s, 2),
        "packages_per_cpu_s": round(len(durations) / cpu_s, 2),
        "p50_ms": round(percentile(ordered, 50) * 1000, 1),
        "p95_ms": round(percentile(ordered, 95) * 1000, 1),
        "ms_per_page": round(wall_s / sum(pages) * 1000, 1),
        "pages_mean": round(sum(pages) / len(pages), 2),
    }


def direct(renderer: PackageRenderer, batch: list[Package]) -> dict[str, Any]:
    durations, pages = [], []
    wall, cpu = time.perf_counter(), time.process_time()
    for package in batch:
        started = time.perf_counter()
        pdf = renderer.render(package, NOW)
        durations.append(time.perf_counter() - started)
        pages.append(pdf.pages)
    return stats(durations, pages, time.perf_counter() - wall, time.process_time() - cpu)


async def service(batch: list[Package], in_flight: int) -> dict[str, Any]:
    renderer = ThreadedRenderer(WorkerThread("weasyprint"))
    await renderer.write(await renderer.layout(batch[0], NOW))  # builds it on its thread
    durations, pages = [], []
    gate = asyncio.Semaphore(in_flight)

    async def one(package: Package) -> None:
        async with gate:
            started = time.perf_counter()
            pdf = await renderer.write(await renderer.layout(package, NOW))
            durations.append(time.perf_counter() - started)
            pages.append(pdf.pages)

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(p) for p in batch))
    return stats(durations, pages, time.perf_counter() - wall, time.process_time() - cpu)


def line(label: str, s: dict[str, Any]) -> str:
    return (
        f"{label:<34} {s['packages_per_s']:>6.2f} packages/s ({s['packages_per_cpu_s']:.2f}/cpu-s)"
        f"  p50 {s['p50_ms']:>6.1f} ms  p95 {s['p95_ms']:>6.1f} ms"
        f"  {s['ms_per_page']:>5.1f} ms/page  {s['pages_mean']:.1f} pages"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="packages per phase")
    parser.add_argument("--warmup-count", type=int, default=5, help="unmeasured renders")
    parser.add_argument("--in-flight", type=int, default=8, help="queued packages, phase (b)")
    args = parser.parse_args()

    full, fallback = packages(args.count, True), packages(args.count, False)
    renderer = PackageRenderer()
    freeze_startup_heap()  # as document-service does when it first renders
    for package in full[: args.warmup_count]:
        renderer.render(package, NOW)
    results = {
        "direct": direct(renderer, full),
        "service": asyncio.run(service(full, args.in_flight)),
        "fallback": direct(renderer, fallback),
    }

    when = dt.datetime.now().astimezone().isoformat(timespec="minutes")
    print(f"\nAPEX render benchmark, {when}, {os.cpu_count()} CPUs, one process")
    print(f"{args.count} packages per phase after {args.warmup_count} unmeasured\n")
    print(line("(a) direct, one after another", results["direct"]))
    print(line(f"(b) service path, {args.in_flight} in flight", results["service"]))
    print(line("(c) without engineering", results["fallback"]))
    rate = min(results["direct"]["packages_per_s"], results["service"]["packages_per_s"])
    verdict = "meets" if rate >= TARGET_PACKAGES_PER_S else "MISSES"
    print(f"\n{verdict} the target of >= {TARGET_PACKAGES_PER_S:g} packages/s per process")
    print(orjson.dumps(results).decode(), file=sys.stderr)


if __name__ == "__main__":
    main()
