"""The `notifications` schema: emails sent, webhooks, their deliveries, outbox and inbox."""

from sqlalchemy import (
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
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from apex_runtime.db import MigrationSet
from apex_runtime.inbox import inbox_table
from apex_runtime.outbox import outbox_table

SCHEMA = "notifications"
MIGRATIONS = MigrationSet(package="apex_notifications", schema=SCHEMA)
metadata = MetaData()

# One row per submission: the natural key that makes "one email per submission" hold even when
# `document.rendered` arrives twice with different message ids.
emails = Table(
    "emails",
    metadata,
    Column("submission_id", Uuid, primary_key=True),
    Column("account", String(100), nullable=False),
    Column("project_id", Uuid, nullable=False),
    Column("document_id", String(64), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", Text, nullable=False),
    Column("attached", Boolean, nullable=False),
    Column("smtp_message_id", String(300), nullable=False),
    Column("task_id", String(64), nullable=True),
    Column("result", JSONB, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    schema=SCHEMA,
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("account", String(100), nullable=False),
    Column("url", Text, nullable=False),
    Column("events", JSONB, nullable=False),
    Column("secret_sealed", LargeBinary, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True), nullable=True),
    Index("ix_webhooks_account", "account", "created_at"),
    schema=SCHEMA,
)

# Each event a webhook subscribed to, kept as it arrived so every attempt signs the same body.
webhook_events = Table(
    "webhook_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("account", String(100), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("parent_task_id", String(64), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    schema=SCHEMA,
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Uuid, primary_key=True),  # uuid5 of (event, webhook): one per pair
    Column("event_id", String(64), ForeignKey(f"{SCHEMA}.webhook_events.event_id"), nullable=False),
    Column("webhook_id", Uuid, ForeignKey(f"{SCHEMA}.webhooks.id"), nullable=False),
    Column("account", String(100), nullable=False),
    Column("task_id", String(64), nullable=False),
    Column("state", String(16), nullable=False),  # pending | delivered | failed | skipped
    Column("attempts", Integer, nullable=False),
    Column("last_status", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),  # while pending
    Index("ix_webhook_deliveries_event", "event_id"),
    # a webhook's deliveries page newest first (`webhook.list_deliveries`)
    Index("ix_webhook_deliveries_webhook", "webhook_id", "created_at", "id"),
    schema=SCHEMA,
)

OUTBOX = outbox_table(metadata, SCHEMA)
INBOX = inbox_table(metadata, SCHEMA)
