"""projects, payloads, outbox, inbox

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from apex_runtime.migrations import create_messaging_tables, drop_messaging_tables
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
S = "projects"


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("customer", sa.String(200), nullable=False),
        sa.Column("pm_email", sa.String(320)),
        sa.Column("notes", sa.Text),
        sa.Column("site", JSONB),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_index(
        "ix_projects_account_created", "projects", ["account", "created_at", "id"], schema=S
    )
    op.create_table(
        "payloads",
        sa.Column("project_id", sa.Uuid, sa.ForeignKey(f"{S}.projects.id"), primary_key=True),
        sa.Column("payload_version", sa.Integer, primary_key=True),
        sa.Column("module", sa.String(100), nullable=False),
        sa.Column("config", JSONB, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("saved_by", sa.String(200), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    create_messaging_tables(S)


def downgrade() -> None:
    drop_messaging_tables(S)
    for table in ("payloads", "projects"):
        op.drop_table(table, schema=S)
