"""The `projects` schema: projects, design payload snapshots, outbox and inbox."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, DateTime, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from apex_runtime.db import MigrationSet
from apex_runtime.inbox import inbox_table
from apex_runtime.outbox import outbox_table

SCHEMA = "projects"
MIGRATIONS = MigrationSet(package="apex_projects", schema=SCHEMA)


class Project(SQLModel, table=True):
    __tablename__ = "projects"
    __table_args__ = (
        Index("ix_projects_account_created", "account", "created_at", "id"),
        {"schema": SCHEMA},
    )

    id: UUID = Field(primary_key=True)
    account: str = Field(max_length=100)
    name: str = Field(max_length=200)
    customer: str = Field(max_length=200)
    pm_email: str | None = Field(default=None, max_length=320)
    notes: str | None = None
    site: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    status: str = Field(max_length=32)
    version: int
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class PayloadSnapshot(SQLModel, table=True):
    __tablename__ = "payloads"
    __table_args__ = {"schema": SCHEMA}

    project_id: UUID = Field(primary_key=True, foreign_key=f"{SCHEMA}.projects.id")
    payload_version: int = Field(primary_key=True)
    module: str = Field(max_length=100)
    config: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    sha256: str = Field(max_length=64)
    saved_by: str = Field(max_length=200)
    saved_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Submission(SQLModel, table=True):
    __tablename__ = "submissions"
    __table_args__ = {"schema": SCHEMA}

    id: UUID = Field(primary_key=True)
    project_id: UUID = Field(foreign_key=f"{SCHEMA}.projects.id")
    number: int
    submitted_by: str = Field(max_length=200)
    submitted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    payload_version: int
    payload_sha256: str = Field(max_length=64)


OUTBOX = outbox_table(SQLModel.metadata, SCHEMA)
INBOX = inbox_table(SQLModel.metadata, SCHEMA)
