"""submissions

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
S = "projects"


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("project_id", sa.Uuid, sa.ForeignKey(f"{S}.projects.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("submitted_by", sa.String(200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload_version", sa.Integer, nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.UniqueConstraint("project_id", "number", name="uq_submissions_project_number"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("submissions", schema=S)
