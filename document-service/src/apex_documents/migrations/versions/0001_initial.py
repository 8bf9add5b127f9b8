"""blobs, documents, outbox, inbox

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op
from apex_runtime.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
S = "documents"


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_table(
        "documents",
        sa.Column(
            "document_id", sa.String(64), sa.ForeignKey(f"{S}.blobs.sha256"), primary_key=True
        ),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("project_id", sa.Uuid, nullable=False),
        sa.Column("submission_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("submission_number", sa.Integer, nullable=False),
        sa.Column("project_name", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(120), nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("engineering", sa.Boolean, nullable=False),
        sa.Column("trace_id", sa.String(32)),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_index(
        "ix_documents_account_project",
        "documents",
        ["account", "project_id", "created_at", "document_id"],
        schema=S,
    )
    create_messaging_tables(S)


def downgrade() -> None:
    drop_messaging_tables(S)
    op.drop_table("documents", schema=S)
    op.drop_table("blobs", schema=S)
