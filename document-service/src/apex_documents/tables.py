"""The `documents` schema: PDF bytes by SHA-256, document metadata, outbox and inbox."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
)

from apex_runtime.db import MigrationSet
from apex_runtime.inbox import inbox_table
from apex_runtime.outbox import outbox_table

SCHEMA = "documents"
MIGRATIONS = MigrationSet(package="apex_documents", schema=SCHEMA)

metadata = MetaData()

# Content-addressed: one row per distinct PDF, whatever refers to it.
BLOBS = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content", LargeBinary, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    schema=SCHEMA,
)

DOCUMENTS = Table(
    "documents",
    metadata,
    Column("document_id", String(64), ForeignKey(f"{SCHEMA}.blobs.sha256"), primary_key=True),
    Column("account", String(100), nullable=False),
    Column("project_id", Uuid, nullable=False),
    Column("submission_id", Uuid, nullable=False, unique=True),  # one package per submission
    Column("submission_number", Integer, nullable=False),
    Column("project_name", String(200), nullable=False),
    Column("filename", String(120), nullable=False),
    Column("pages", Integer, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("engineering", Boolean, nullable=False),
    Column("trace_id", String(32), nullable=True),
    Column("message_id", String(64), nullable=False),  # the project.submitted it came from
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_documents_account_project", "account", "project_id", "created_at", "document_id"),
    schema=SCHEMA,
)

OUTBOX = outbox_table(metadata, SCHEMA)
INBOX = inbox_table(metadata, SCHEMA)
