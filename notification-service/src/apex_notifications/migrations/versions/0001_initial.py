"""emails, webhooks, webhook events and deliveries, outbox, inbox

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from apex_runtime.migrations import create_messaging_tables, drop_messaging_tables
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
S = "notifications"


def upgrade() -> None:
    op.create_table(
        "emails",
        sa.Column("submission_id", sa.Uuid, primary_key=True),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("project_id", sa.Uuid, nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("attached", sa.Boolean, nullable=False),
        sa.Column("smtp_message_id", sa.String(300), nullable=False),
        sa.Column("task_id", sa.String(64)),
        sa.Column("result", JSONB, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("events", JSONB, nullable=False),
        sa.Column("secret_sealed", sa.LargeBinary, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_index("ix_webhooks_account", "webhooks", ["account", "created_at"], schema=S)
    op.create_table(
        "webhook_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("parent_task_id", sa.String(64)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column(
            "event_id", sa.String(64), sa.ForeignKey(f"{S}.webhook_events.event_id"), nullable=False
        ),
        sa.Column("webhook_id", sa.Uuid, sa.ForeignKey(f"{S}.webhooks.id"), nullable=False),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("task_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_index("ix_webhook_deliveries_event", "webhook_deliveries", ["event_id"], schema=S)
    create_messaging_tables(S)


def downgrade() -> None:
    drop_messaging_tables(S)
    for table in ("webhook_deliveries", "webhook_events", "webhooks", "emails"):
        op.drop_table(table, schema=S)
