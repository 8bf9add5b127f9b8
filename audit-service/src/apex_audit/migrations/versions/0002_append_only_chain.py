"""append-only hash chain, signed checkpoints, writer role

Revision ID: 0002
Revises: 0001

Entries become their canonical JSON `body` plus `prev_hash`/`entry_hash`; the searched
columns are generated from `body`. Rows of 0001 are chained in their original order. Role
`apex_audit` may only INSERT and SELECT; a trigger, enabled ALWAYS, refuses UPDATE, DELETE and
TRUNCATE to every role, the owner included.
"""

import orjson
import sqlalchemy as sa
from alembic import op

from apex_audit.chain import SUBJECT_FIELDS, Draft, Head, seal
from apex_audit.tables import WRITER_ROLE

revision = "0002"
down_revision = "0001"
S = "audit"


def upgrade() -> None:
    op.execute("ALTER TABLE audit.entries RENAME TO entries_0001")
    op.execute(
        """
        CREATE FUNCTION audit.utc_instant(text) RETURNS timestamptz
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        -- immutable because entries always spell instants with a zone: `...Z`
        RETURN $1::timestamptz
        """
    )
    op.execute(
        """
        CREATE TABLE audit.entries (
            body text NOT NULL,
            prev_hash bytea NOT NULL CONSTRAINT entries_prev_hash_size CHECK (length(prev_hash) = 32),
            entry_hash bytea NOT NULL CONSTRAINT entries_hash_size CHECK (length(entry_hash) = 32),
            account text NOT NULL GENERATED ALWAYS AS (body::json ->> 'account') STORED,
            sequence bigint NOT NULL GENERATED ALWAYS AS ((body::json ->> 'sequence')::bigint) STORED,
            message_id text NOT NULL GENERATED ALWAYS AS (body::json ->> 'message_id') STORED,
            kind text NOT NULL GENERATED ALWAYS AS (body::json ->> 'kind') STORED,
            routing_key text NOT NULL GENERATED ALWAYS AS (body::json ->> 'routing_key') STORED,
            actor text GENERATED ALWAYS AS (body::json ->> 'actor') STORED,
            project_id text GENERATED ALWAYS AS (body::json -> 'subject' ->> 'project_id') STORED,
            occurred_at timestamptz NOT NULL
                GENERATED ALWAYS AS (audit.utc_instant(body::json ->> 'occurred_at')) STORED,
            CONSTRAINT entries_chain_pk PRIMARY KEY (account, sequence),
            CONSTRAINT entries_message_once UNIQUE (account, message_id),
            CONSTRAINT entries_sequence_from_1 CHECK (sequence >= 1)
        )
        """
    )
    op.execute(
        "CREATE INDEX entries_by_project ON audit.entries (account, project_id, sequence)"
        " WHERE project_id IS NOT NULL"
    )
    op.execute("CREATE INDEX entries_by_actor ON audit.entries (account, actor, sequence)")
    op.execute("CREATE INDEX entries_by_type ON audit.entries (account, routing_key, sequence)")
    op.execute("CREATE INDEX entries_by_time ON audit.entries (account, occurred_at)")
    op.execute(
        """
        CREATE TABLE audit.checkpoints (
            account text NOT NULL,
            sequence bigint NOT NULL,
            entry_hash bytea NOT NULL,
            signed_at timestamptz NOT NULL,
            key_id text NOT NULL,
            signature bytea NOT NULL,
            CONSTRAINT checkpoints_pk PRIMARY KEY (account, sequence)
        )
        """
    )
    _chain_rows_of_0001()
    op.execute("DROP TABLE audit.entries_0001")
    _append_only("entries")
    _append_only("checkpoints")
    _writer_role()


def _chain_rows_of_0001() -> None:
    """Chain the entries 0001 stored, per account in the order they were recorded."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT account, message_id, actor, routing_key, occurred_at, recorded_at,"
            " trace_id, payload FROM audit.entries_0001 ORDER BY account, id"
        )
    ).mappings()
    heads: dict[str, Head] = {}
    batch: list[dict[str, object]] = []
    for row in rows:
        payload = row["payload"]
        payload = orjson.loads(payload) if isinstance(payload, str | bytes) else dict(payload)
        draft = Draft(
            kind="event",
            account=row["account"],
            message_id=row["message_id"],
            routing_key=row["routing_key"],
            actor=row["actor"] or None,
            subject={f: str(payload[f]) for f in SUBJECT_FIELDS if payload.get(f)},
            task_id=str(payload["task_id"]) if payload.get("task_id") else None,
            occurred_at=row["occurred_at"],
            trace_id=row["trace_id"],
            payload=payload,
        )
        (link,) = seal([draft], heads.get(draft.account, Head()), row["recorded_at"])
        heads[draft.account] = Head(link.sequence, link.entry_hash)
        batch.append({"body": link.body.decode(), "prev": link.prev_hash, "hash": link.entry_hash})
    if batch:
        bind.execute(
            sa.text(
                "INSERT INTO audit.entries (body, prev_hash, entry_hash)"
                " VALUES (:body, :prev, :hash)"
            ),
            batch,
        )


def _append_only(table: str) -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit.% is append-only: % is refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'the audit log can only grow; record a correcting entry instead';
        END
        $$
        """
    )
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE"
        f" ON audit.{table} FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()"
    )
    # ALWAYS: the trigger fires even with session_replication_role = replica.
    op.execute(f"ALTER TABLE audit.{table} ENABLE ALWAYS TRIGGER {table}_append_only")


def _writer_role() -> None:
    op.execute(
        f"""
        DO $$
        BEGIN
            CREATE ROLE {WRITER_ROLE} LOGIN;
        EXCEPTION WHEN duplicate_object THEN
            NULL;  -- roles are per cluster: another database's migration made it
        END
        $$
        """
    )
    op.execute(
        f"ALTER ROLE {WRITER_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
        " NOBYPASSRLS"
    )
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA audit FROM {WRITER_ROLE}")
    op.execute(f"GRANT USAGE ON SCHEMA audit TO {WRITER_ROLE}")
    op.execute(f"GRANT SELECT, INSERT ON audit.entries, audit.checkpoints TO {WRITER_ROLE}")
    op.execute(f"GRANT EXECUTE ON FUNCTION audit.utc_instant(text) TO {WRITER_ROLE}")


def downgrade() -> None:
    raise NotImplementedError("the audit log is append-only: there is no way back from 0002")
