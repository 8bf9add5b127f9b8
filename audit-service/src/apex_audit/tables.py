"""The `audit` schema: one row per event, once per message id."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from apex_runtime.db import MigrationSet

SCHEMA = "audit"
MIGRATIONS = MigrationSet(package="apex_audit", schema=SCHEMA)


class AuditEntry(SQLModel, table=True):
    __tablename__ = "entries"
    __table_args__ = (
        Index("ix_entries_account_id", "account", "id"),
        Index("ix_entries_account_subject", "account", "subject_id"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True)
    )
    message_id: str = Field(max_length=64, unique=True)
    account: str = Field(max_length=100)
    actor: str | None = Field(default=None, max_length=200)
    routing_key: str = Field(max_length=200)
    subject_id: str | None = Field(default=None, max_length=64)
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    recorded_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    trace_id: str | None = Field(default=None, max_length=32)
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
