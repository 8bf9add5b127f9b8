"""audit-service stores messages in batches: one span per batch, linked to the trace of every
message in it (OpenTelemetry's batch-receive shape), with the batch's INSERT as its child."""

import asyncio
from typing import Any

import aiohttp

from .conftest import SPANS
from .helpers import call


def _hex(trace_id: int) -> str:
    return format(trace_id, "032x")


async def test_the_audit_batch_that_stored_a_request_links_to_its_trace(
    http: aiohttp.ClientSession,
) -> None:
    status, body, _ = await call(
        http, "POST", "/projects", json={"name": "Traced audit", "customer": "Acme"}
    )
    assert status == 202, body
    trace_id = body["trace"]["trace_id"]

    def batches() -> list[Any]:
        return [
            s
            for s in SPANS.get_finished_spans()
            if s.name == "audit-service append"
            and any(_hex(link.context.trace_id) == trace_id for link in s.links)
        ]

    for _ in range(200):  # the command's batch, then the event's
        linked = {
            link.context.span_id
            for s in batches()
            for link in s.links
            if _hex(link.context.trace_id) == trace_id
        }
        if len(linked) >= 2:
            break
        await asyncio.sleep(0.02)
    in_trace = [s for s in SPANS.get_finished_spans() if _hex(s.context.trace_id) == trace_id]

    def producers(prefix: str) -> set[int]:
        return {
            s.context.span_id
            for s in in_trace
            if s.kind.name == "PRODUCER" and s.name.startswith(prefix)
        }

    assert producers("apex.commands ") & linked  # the gateway's command
    assert producers("apex.events.project.created ") & linked  # project-service's event
    batch_ids = {s.context.span_id for s in batches()}
    inserts = [
        s
        for s in SPANS.get_finished_spans()
        if "INSERT INTO audit.entries" in str((s.attributes or {}).get("db.statement", ""))
        and s.parent is not None
        and s.parent.span_id in batch_ids
    ]
    assert inserts
