"""Audit queries and replies (owned by audit-service)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from .base import Message


class SearchAudit(Message):
    project_id: UUID | None = None
    actor: str | None = None
    type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=500)


class AuditEntryView(Message):
    entry_id: int
    message_id: str
    account: str
    actor: str | None
    routing_key: str
    subject_id: str | None
    occurred_at: datetime
    recorded_at: datetime
    trace_id: str | None
    payload: dict[str, Any]


class AuditPage(Message):
    items: list[AuditEntryView]
    next_cursor: str | None
