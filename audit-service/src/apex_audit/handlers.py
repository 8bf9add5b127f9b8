"""Audit use cases: record an event once; search the account's entries."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from apex_contracts.audit import AuditEntryView, AuditPage, SearchAudit
from apex_runtime.errors import Invalid
from apex_runtime.tasks import MessageContext

from .tables import AuditEntry

Sessions = async_sessionmaker[AsyncSession]
SUBJECT_FIELDS = ("project_id", "document_id", "task_id")


def subject_of(payload: dict[str, Any]) -> str | None:
    """The id of what the event is about: a project, a document or a task."""
    for name in SUBJECT_FIELDS:
        if payload.get(name):
            return str(payload[name])
    return None


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id inside a W3C `traceparent` header (`00-<trace id>-<span id>-<flags>`)."""
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


def occurred_at_of(payload: dict[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(str(payload["occurred_at"]))
    except (KeyError, ValueError):
        return datetime.now(UTC)


async def record_event(
    payload: dict[str, Any],
    ctx: MessageContext,
    routing_key: str,
    traceparent: str | None,
    sessions: Sessions,
) -> bool:
    """Store the event; a redelivered message id is stored once. True when it was new."""
    statement = (
        insert(AuditEntry)
        .values(
            message_id=ctx.message_id,
            account=ctx.account or str(payload.get("account", "")),
            actor=ctx.actor or payload.get("actor"),
            routing_key=routing_key,
            subject_id=subject_of(payload),
            occurred_at=occurred_at_of(payload),
            recorded_at=datetime.now(UTC),
            trace_id=trace_id_of(traceparent),
            payload=payload,
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
        .returning(col(AuditEntry.id))
    )
    async with sessions.begin() as session:
        inserted = (await session.execute(statement)).first()
    return inserted is not None


def _view(e: AuditEntry) -> AuditEntryView:
    assert e.id is not None
    return AuditEntryView(
        entry_id=e.id,
        message_id=e.message_id,
        account=e.account,
        actor=e.actor,
        routing_key=e.routing_key,
        subject_id=e.subject_id,
        occurred_at=e.occurred_at,
        recorded_at=e.recorded_at,
        trace_id=e.trace_id,
        payload=e.payload,
    )


async def search(query: SearchAudit, ctx: MessageContext, sessions: Sessions) -> AuditPage:
    """The account's entries, newest first; the cursor is the last entry id seen."""
    conditions = [col(AuditEntry.account) == ctx.account]
    if query.project_id:
        conditions.append(col(AuditEntry.subject_id) == str(query.project_id))
    if query.actor:
        conditions.append(col(AuditEntry.actor) == query.actor)
    if query.type:
        conditions.append(col(AuditEntry.routing_key) == query.type)
    if query.since:
        conditions.append(col(AuditEntry.occurred_at) >= query.since)
    if query.until:
        conditions.append(col(AuditEntry.occurred_at) < query.until)
    if query.cursor:
        if not query.cursor.isdigit():
            raise Invalid("cursor is not one this service issued")
        conditions.append(col(AuditEntry.id) < int(query.cursor))
    statement = (
        select(AuditEntry)
        .where(*conditions)
        .order_by(col(AuditEntry.id).desc())
        .limit(query.limit + 1)
    )
    async with sessions() as session:
        rows = list((await session.execute(statement)).scalars())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = str(rows[-1].id) if more and rows else None
    return AuditPage(items=[_view(e) for e in rows], next_cursor=next_cursor)
