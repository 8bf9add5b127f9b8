"""audit entries

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
S = "audit"


def upgrade() -> None:
    op.create_table(
        "entries",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(64), nullable=False, unique=True),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("routing_key", sa.String(200), nullable=False),
        sa.Column("subject_id", sa.String(64)),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trace_id", sa.String(32)),
        sa.Column("payload", JSONB, nullable=False),
        schema=S,
    )
    op.create_index("ix_entries_account_id", "entries", ["account", "id"], schema=S)
    op.create_index("ix_entries_account_subject", "entries", ["account", "subject_id"], schema=S)


def downgrade() -> None:
    op.drop_table("entries", schema=S)
