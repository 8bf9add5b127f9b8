"""Audit use cases: append entries, sign checkpoints, search, export, list checkpoints."""

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
from sqlalchemy import and_
from sqlalchemy.ext.asyncio import AsyncEngine

from apex_contracts import pagination
from apex_contracts.audit import (
    AuditAccounts,
    AuditEntryView,
    AuditExportChunk,
    AuditPage,
    AuditRecord,
    CheckpointPage,
    CheckpointView,
    ExportAudit,
    ListCheckpoints,
    SearchAudit,
)
from apex_runtime.errors import Invalid
from apex_runtime.tasks import MessageContext

from . import store
from .chain import Draft, Head, Link, seal
from .signing import CheckpointKeys, KeySource, checkpoint_message
from .tables import checkpoints, entries

EXPORT_CHUNK = 1000


# Appending -------------------------------------------------------------------------------


@dataclass
class Appended:
    """What one batch did: each account's new head and each new entry's sequence."""

    heads: dict[str, Head] = field(default_factory=dict)
    sequences: dict[tuple[str, str], int] = field(default_factory=dict)  # (account, message id)


async def append_entries(
    drafts: Sequence[Draft], engine: AsyncEngine, keys: KeySource, checkpoint_every: int
) -> Appended:
    """Append drafts to their accounts' chains in one transaction, one writer per account;
    a message id the account already recorded is skipped (redelivery). Every
    `checkpoint_every`-th entry is signed in the same transaction."""
    by_account: dict[str, dict[str, Draft]] = {}
    for draft in drafts:
        by_account.setdefault(draft.account, {}).setdefault(draft.message_id, draft)
    signer = await keys()
    appended = Appended()
    async with engine.begin() as conn:
        for account in sorted(by_account):  # one lock order in every replica: no deadlocks
            await store.lock_account(conn, account)
            group = by_account[account]
            head, known = await store.head_and_recorded(conn, account, list(group))
            fresh = [d for message_id, d in group.items() if message_id not in known]
            if not fresh:
                continue
            now = datetime.now(UTC)
            links = seal(fresh, head, now)
            await store.insert_links(conn, links)
            marks = [link for link in links if link.sequence % checkpoint_every == 0]
            if marks:
                await store.insert_checkpoints(
                    conn, [_signed(signer, account, m.sequence, m.entry_hash, now) for m in marks]
                )
            appended.heads[account] = Head(links[-1].sequence, links[-1].entry_hash)
            appended.sequences.update({(account, link.message_id): link.sequence for link in links})
    return appended


async def sign_checkpoints(heads: dict[str, Head], engine: AsyncEngine, keys: KeySource) -> int:
    """Sign a checkpoint at each given head (the time-based ones); returns how many."""
    signer = await keys()
    now = datetime.now(UTC)
    signed = [_signed(signer, a, h.sequence, h.entry_hash, now) for a, h in heads.items()]
    if signed:
        async with engine.begin() as conn:
            await store.insert_checkpoints(conn, signed)
    return len(signed)


def _signed(
    signer: CheckpointKeys, account: str, sequence: int, entry_hash: bytes, now: datetime
) -> store.Checkpoint:
    message = checkpoint_message(account, sequence, entry_hash, now)
    return store.Checkpoint(account, sequence, entry_hash, now, signer.key_id, signer.sign(message))


class PendingCheckpoints:
    """Heads that moved since their last signed checkpoint; the clock signs them every T s."""

    def __init__(self, every: int) -> None:
        self.every = every
        self._heads: dict[str, Head] = {}

    def advanced(self, heads: dict[str, Head]) -> None:
        for account, head in heads.items():
            if head.sequence % self.every == 0:
                self._heads.pop(account, None)  # signed with the batch
            else:
                self._heads[account] = head

    def take(self) -> dict[str, Head]:
        heads, self._heads = self._heads, {}
        return heads

    def give_back(self, heads: dict[str, Head]) -> None:
        for account, head in heads.items():
            if account not in self._heads:
                self._heads[account] = head


# Reading ----------------------------------------------------------------------------------


def _cursor(sequence: int) -> str:
    return pagination.pack({"before": sequence})


def _before(cursor: str) -> int:
    try:
        keyset = pagination.unpack(cursor)
        before = keyset["before"]  # type: ignore[index]
    except (ValueError, TypeError, KeyError) as exc:
        raise Invalid("cursor is not one this service issued") from exc
    if not isinstance(before, int) or isinstance(before, bool) or before < 1:
        raise Invalid("cursor is not one this service issued")
    return before


def view_of(link: Link) -> AuditEntryView:
    document = orjson.loads(link.body)
    subject = document.get("subject") or {}
    return AuditEntryView.model_validate(
        {
            **document,
            "prev_hash": link.prev_hash.hex(),
            "entry_hash": link.entry_hash.hex(),
            "subject_id": subject.get("project_id")
            or subject.get("document_id")
            or document.get("task_id"),
        }
    )


async def search(query: SearchAudit, ctx: MessageContext, engine: AsyncEngine) -> AuditPage:
    """The account's entries, newest first; the cursor is the keyset (last sequence seen)."""
    statement = store.entry_rows(ctx.account)
    if query.project_id:
        statement = statement.where(entries.c.project_id == str(query.project_id))
    if query.actor:
        statement = statement.where(entries.c.actor == query.actor)
    if query.type:
        if query.type.endswith("*"):
            prefix = query.type.rstrip("*").replace("\\", "\\\\").replace("%", r"\%")
            statement = statement.where(
                entries.c.routing_key.like(prefix.replace("_", r"\_") + "%", escape="\\")
            )
        else:
            statement = statement.where(entries.c.routing_key == query.type)
    if query.since:
        statement = statement.where(entries.c.occurred_at >= query.since)
    if query.until:
        statement = statement.where(entries.c.occurred_at < query.until)
    if query.cursor:
        statement = statement.where(entries.c.sequence < _before(query.cursor))
    statement = statement.order_by(entries.c.sequence.desc()).limit(query.limit + 1)
    async with engine.connect() as conn:
        links = [store.link_of(r) for r in await conn.execute(statement)]
    more = len(links) > query.limit
    links = links[: query.limit]
    next_cursor = _cursor(links[-1].sequence) if more and links else None
    return AuditPage(items=[view_of(link) for link in links], next_cursor=next_cursor)


async def export(query: ExportAudit, ctx: MessageContext, engine: AsyncEngine) -> AuditExportChunk:
    """One chunk of the account's entries, oldest first, after sequence `query.after`."""
    statement = store.entry_rows(ctx.account).where(entries.c.sequence > query.after)
    if query.since:
        statement = statement.where(entries.c.occurred_at >= query.since)
    if query.until:
        statement = statement.where(entries.c.occurred_at < query.until)
    statement = statement.order_by(entries.c.sequence).limit(EXPORT_CHUNK + 1)
    async with engine.connect() as conn:
        links = [store.link_of(r) for r in await conn.execute(statement)]
    more = len(links) > EXPORT_CHUNK
    links = links[:EXPORT_CHUNK]
    return AuditExportChunk(
        records=[
            AuditRecord(
                sequence=link.sequence,
                prev_hash=link.prev_hash.hex(),
                entry_hash=link.entry_hash.hex(),
                entry=orjson.loads(link.body),
            )
            for link in links
        ],
        next_after=links[-1].sequence if more and links else None,
    )


async def list_checkpoints(
    query: ListCheckpoints, ctx: MessageContext, engine: AsyncEngine, keys: KeySource
) -> CheckpointPage:
    """The account's signed checkpoints, newest first, with the public key to check them."""
    current = await keys()
    conditions = [checkpoints.c.account == ctx.account]
    if query.cursor:
        conditions.append(checkpoints.c.sequence < _before(query.cursor))
    statement = (
        checkpoints.select()
        .where(and_(*conditions))
        .order_by(checkpoints.c.sequence.desc())
        .limit(query.limit + 1)
    )
    async with engine.connect() as conn:
        rows = list(await conn.execute(statement))
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    items = [
        CheckpointView(
            account=r.account,
            sequence=r.sequence,
            entry_hash=bytes(r.entry_hash).hex(),
            signed_at=r.signed_at,
            key_id=r.key_id,
            signature=base64.b64encode(bytes(r.signature)).decode(),
            message=checkpoint_message(
                r.account, r.sequence, bytes(r.entry_hash), r.signed_at
            ).decode(),
        )
        for r in rows
    ]
    return CheckpointPage(
        key_id=current.key_id,
        public_key=current.public_base64,
        public_key_pem=current.public_pem,
        items=items,
        next_cursor=_cursor(rows[-1].sequence) if more and rows else None,
    )


async def list_accounts(engine: AsyncEngine) -> AuditAccounts:
    async with engine.connect() as conn:
        return AuditAccounts(accounts=await store.accounts(conn))
