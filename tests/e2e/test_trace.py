"""One request, one trace: HTTP, publish, consume, SQL and the audit consumer share a trace id."""

import asyncio

import aiohttp
from opentelemetry.trace import SpanKind

from .conftest import SPANS
from .helpers import audit_types, call


async def test_create_is_one_trace_across_services(http: aiohttp.ClientSession) -> None:
    status, body, _ = await call(
        http,
        "POST",
        "/projects",
        json={"name": "Traced", "customer": "Acme"},
        headers={"Prefer": "wait=10"},
    )
    assert status == 201, body
    trace_id = body["trace"]["trace_id"]
    project_id = body["result"]["result"]["project_id"]
    await audit_types(http, project_id, {"project.created"})

    def spans() -> list:  # type: ignore[type-arg]
        return [
            s for s in SPANS.get_finished_spans() if format(s.context.trace_id, "032x") == trace_id
        ]

    def statements() -> list[str]:
        return [str((x.attributes or {}).get("db.statement", "")) for x in spans()]

    for _ in range(100):  # the audit consumer's span ends just after its commit
        if any(x.name == "audit-service.events receive project.created" for x in spans()):
            break
        await asyncio.sleep(0.02)
    found = spans()
    names = sorted({f"{s.kind.name}:{s.name}" for s in found})

    def has(kind: SpanKind, name: str) -> bool:
        return any(s.kind is kind and s.name == name for s in found)

    assert has(SpanKind.SERVER, "POST /projects"), names
    assert has(SpanKind.PRODUCER, "apex.commands publish"), names
    assert has(SpanKind.CONSUMER, "apex.commands.project.create process"), names
    assert any("INSERT INTO projects.projects" in q for q in statements()), names
    assert has(SpanKind.PRODUCER, "apex.events.project.created publish"), names
    # audit-service's receipt of the event joins the same trace
    assert has(SpanKind.CONSUMER, "audit-service.events receive project.created"), names
