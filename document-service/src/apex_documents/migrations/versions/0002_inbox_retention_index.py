"""inbox: an index on processed_at, for the retention sweep

Revision ID: 0002
"""

from apex_runtime.migrations import drop_inbox_processed_at_index, index_inbox_processed_at

revision = "0002"
down_revision = "0001"
SCHEMA = "documents"


def upgrade() -> None:
    index_inbox_processed_at(SCHEMA)


def downgrade() -> None:
    drop_inbox_processed_at_index(SCHEMA)
