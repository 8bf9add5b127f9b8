"""audit-service wiring: every event into the audit log; `audit.search` answered."""

from typing import Any

from faststream.rabbit.annotations import RabbitMessage

from apex_contracts import topology as t
from apex_contracts.audit import SearchAudit
from apex_runtime.broker import EVENTS, QUERIES, query_queue, work_queue
from apex_runtime.db import make_sessions
from apex_runtime.queries import answer
from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import Settings
from apex_runtime.tasks import MessageContext

from . import handlers

SERVICE = "audit-service"


def build(settings: Settings) -> ServiceRuntime:
    rt = ServiceRuntime(SERVICE, settings, settings.audit_port, with_db=True)
    assert rt.engine is not None
    sessions = make_sessions(rt.engine)
    broker = rt.broker

    @broker.subscriber(work_queue(t.AUDIT_EVENTS_QUEUE, "#", settings), EVENTS)
    async def on_event(event: dict[str, Any], msg: RabbitMessage) -> None:
        await handlers.record_event(
            event,
            MessageContext.of(msg),
            msg.raw_message.routing_key or "",
            (msg.headers or {}).get("traceparent"),
            sessions,
        )

    @broker.subscriber(query_queue(SERVICE, t.AUDIT_SEARCH, settings), QUERIES)
    async def on_search(query: SearchAudit, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.search(query, ctx, sessions))

    return rt
