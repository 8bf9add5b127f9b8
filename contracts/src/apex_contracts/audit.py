"""Audit queries and replies (owned by audit-service).

The audit log is a hash chain per account: entry `n` stores `prev_hash` (the hash of entry
`n - 1`, 32 zero bytes for entry 1) and `entry_hash = SHA-256(prev_hash ‖ canonical JSON of
the entry)`. Hashes are lowercase hex on the wire, signatures base64.
"""

from datetime import datetime
from typing import Any, Final, Literal
from uuid import UUID

from pydantic import Field

from .base import Message, Rfc3339, example
from .pagination import Cursor

EntryKind = Literal["event", "command"]
BreakReason = Literal[
    "gap", "link_mismatch", "hash_mismatch", "bad_signature", "checkpoint_mismatch", "truncated"
]
HASH_PATTERN: Final = r"^[0-9a-f]{64}$"


# Search -----------------------------------------------------------------------------------

SEQUENCE_MAX = 2**63 - 1  # sequences are PostgreSQL bigints


class SearchAudit(Message):
    """`GET /audit`: the account's entries, newest first (keyset pagination)."""

    model_config = example(
        {
            "project_id": "3f6c2a8e-5b1d-4c7a-9e2f-8a1b6d4c0e93",
            "type": "project.*",
            "since": "2026-12-01T00:00:00Z",
            "until": "2026-12-02T00:00:00Z",
            "limit": 50,
        }
    )

    project_id: UUID | None = None
    actor: str | None = None
    type: str | None = None  # a routing key; `security.*` matches every key under `security.`
    since: Rfc3339 | None = None
    until: Rfc3339 | None = None
    cursor: Cursor | None = None
    limit: int = Field(default=50, ge=1, le=500)


class AuditEntryView(Message):
    """One entry as recorded; every field but the hashes is covered by `entry_hash`."""

    sequence: int
    prev_hash: str
    entry_hash: str
    kind: EntryKind
    message_id: str
    account: str
    actor: str | None
    routing_key: str
    subject: dict[str, str]
    subject_id: str | None  # the project, document or task the entry is about (first of them)
    task_id: str | None
    occurred_at: datetime
    recorded_at: datetime
    trace_id: str | None
    payload: dict[str, Any]
    redacted: list[str] = []


class AuditPage(Message):
    items: list[AuditEntryView]
    next_cursor: str | None


# Export -----------------------------------------------------------------------------------


class ExportAudit(Message):
    """One bounded chunk of `GET /audit/export`, oldest first; callers loop on `next_after`."""

    model_config = example(
        {
            "since": "2026-12-01T00:00:00Z",
            "until": "2027-01-01T00:00:00Z",
            "after": 0,
            "limit": 1000,
        }
    )

    since: Rfc3339 | None = None
    until: Rfc3339 | None = None
    after: int = Field(default=0, ge=0, le=SEQUENCE_MAX)  # continue after this sequence
    limit: int = Field(default=1000, ge=1, le=5000)


class AuditRecord(Message):
    """One NDJSON line of an export: enough to recompute the chain outside APEX."""

    sequence: int
    prev_hash: str
    entry_hash: str
    entry: dict[str, Any]  # hash input: SHA-256(prev_hash ‖ canonical JSON of `entry`)


class AuditExportChunk(Message):
    records: list[AuditRecord]
    next_after: int | None  # None: nothing more


# Verify -----------------------------------------------------------------------------------


class VerifyAudit(Message):
    """Verify the account's chain from `after_sequence` on, in one bounded chunk.

    Callers start at 0 and repeat with the `head_sequence`/`head_hash` of each answer until
    it is `complete`; `AuditVerification.followed_by` adds the answers up.
    """

    model_config = example(
        {
            "after_sequence": 1000,
            "after_hash": "d8101229b2bb77e03a4b37ccb312bd5d79356c6a5fe397ea140e1e97416778d9",
            "limit": 5000,
        }
    )

    after_sequence: int = Field(default=0, ge=0, le=SEQUENCE_MAX)
    after_hash: str | None = Field(default=None, pattern=HASH_PATTERN)  # None: 32 zero bytes
    limit: int | None = Field(default=None, ge=1, le=2_000_000)  # None: the service's chunk


class BrokenAt(Message):
    sequence: int
    reason: BreakReason
    detail: str = ""


class AuditVerification(Message):
    """`GET /audit/verify`: on a break, the counts describe the valid prefix."""

    account: str
    verified: bool
    entries: int
    head_sequence: int
    head_hash: str | None
    broken_at: BrokenAt | None
    checkpoints: int = 0  # signed checkpoints checked
    complete: bool = True  # False: more of the log follows; ask again after head_sequence

    def followed_by(self, later: "AuditVerification") -> "AuditVerification":
        """This chunk's answer followed by the next one's, as one answer."""
        return later.model_copy(
            update={
                "entries": self.entries + later.entries,
                "checkpoints": self.checkpoints + later.checkpoints,
                "head_sequence": later.head_sequence if later.entries else self.head_sequence,
                "head_hash": later.head_hash if later.entries else self.head_hash,
            }
        )


# Checkpoints ------------------------------------------------------------------------------


class ListCheckpoints(Message):
    model_config = example({"limit": 20})

    cursor: Cursor | None = None
    limit: int = Field(default=100, ge=1, le=500)


class CheckpointView(Message):
    """A signed statement that entry `sequence` of `account` had hash `entry_hash`."""

    account: str
    sequence: int
    entry_hash: str
    signed_at: datetime
    key_id: str
    signature: str  # base64 Ed25519 signature of `message`
    message: str  # the exact signed bytes (canonical JSON, UTF-8)


class CheckpointPage(Message):
    algorithm: Literal["Ed25519"] = "Ed25519"
    key_id: str  # the current signing key
    public_key: str  # base64 of the raw 32-byte public key
    public_key_pem: str
    items: list[CheckpointView]  # newest first
    next_cursor: str | None


# Accounts (operators' CLI) ----------------------------------------------------------------


class ListAuditAccounts(Message):
    model_config = example({"schema_version": 1})


class AuditAccounts(Message):
    accounts: list[str]
