"""webhook deliveries: created_at and next_attempt_at, and an index to page a webhook's

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
S = "notifications"


def upgrade() -> None:
    op.add_column(
        "webhook_deliveries", sa.Column("created_at", sa.DateTime(timezone=True)), schema=S
    )
    op.add_column(
        "webhook_deliveries", sa.Column("next_attempt_at", sa.DateTime(timezone=True)), schema=S
    )
    # a delivery made before this revision was created when its event arrived
    op.execute(
        f"UPDATE {S}.webhook_deliveries AS d SET created_at = e.received_at"
        f" FROM {S}.webhook_events AS e WHERE e.event_id = d.event_id"
    )
    op.alter_column("webhook_deliveries", "created_at", nullable=False, schema=S)
    op.create_index(
        "ix_webhook_deliveries_webhook",
        "webhook_deliveries",
        ["webhook_id", "created_at", "id"],
        schema=S,
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_webhook", "webhook_deliveries", schema=S)
    op.drop_column("webhook_deliveries", "next_attempt_at", schema=S)
    op.drop_column("webhook_deliveries", "created_at", schema=S)
