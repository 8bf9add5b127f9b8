"""inbox: an index on processed_at, for the retention sweep

Revision ID: 0003
"""

from apex_runtime.migrations import drop_inbox_processed_at_index, index_inbox_processed_at

revision = "0003"
down_revision = "0002"
SCHEMA = "projects"


def upgrade() -> None:
    index_inbox_processed_at(SCHEMA)


def downgrade() -> None:
    drop_inbox_processed_at_index(SCHEMA)
