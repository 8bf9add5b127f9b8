"""SQL of the audit log: append under the account's lock, read pages, scan a chain in place."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from .chain import Head, Link
from .tables import checkpoints, entries

LOCK_NAMESPACE = "apex.audit:"


async def lock_account(conn: AsyncConnection, account: str) -> None:
    """One writer per account: held until the transaction ends, in every replica."""
    await conn.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": LOCK_NAMESPACE + account},
    )


async def head_of(conn: AsyncConnection, account: str) -> Head:
    row = (
        await conn.execute(
            select(entries.c.sequence, entries.c.entry_hash)
            .where(entries.c.account == account)
            .order_by(entries.c.sequence.desc())
            .limit(1)
        )
    ).first()
    return Head(row.sequence, bytes(row.entry_hash)) if row else Head()


HEAD_AND_RECORDED = text(
    """
    SELECT head.sequence, head.entry_hash, ARRAY(
        SELECT message_id FROM audit.entries
        WHERE account = :account AND message_id = ANY(CAST(:ids AS text[]))
    ) AS recorded
    FROM (SELECT 1) AS one LEFT JOIN LATERAL (
        SELECT sequence, entry_hash FROM audit.entries WHERE account = :account
        ORDER BY sequence DESC LIMIT 1
    ) AS head ON true
    """
)


async def head_and_recorded(
    conn: AsyncConnection, account: str, message_ids: list[str]
) -> tuple[Head, set[str]]:
    """The account's head, and which of these message ids it already holds (one round trip;
    run it after `lock_account`, in a statement of its own, so it sees the last writer's rows)."""
    row = (await conn.execute(HEAD_AND_RECORDED, {"account": account, "ids": message_ids})).one()
    head = Head(row.sequence, bytes(row.entry_hash)) if row.sequence else Head()
    return head, set(row.recorded)


async def insert_links(conn: AsyncConnection, links: Sequence[Link]) -> None:
    """One statement for the whole batch; PostgreSQL derives the searched columns."""
    await conn.execute(
        text(
            "INSERT INTO audit.entries (body, prev_hash, entry_hash) SELECT * FROM"
            " unnest(CAST(:bodies AS text[]), CAST(:prevs AS bytea[]), CAST(:hashes AS bytea[]))"
        ),
        {
            "bodies": [link.body.decode() for link in links],
            "prevs": [link.prev_hash for link in links],
            "hashes": [link.entry_hash for link in links],
        },
    )


@dataclass(frozen=True)
class Checkpoint:
    account: str
    sequence: int
    entry_hash: bytes
    signed_at: datetime
    key_id: str
    signature: bytes


async def insert_checkpoints(conn: AsyncConnection, signed: Sequence[Checkpoint]) -> None:
    await conn.execute(
        text(
            "INSERT INTO audit.checkpoints"
            " (account, sequence, entry_hash, signed_at, key_id, signature)"
            " VALUES (:account, :sequence, :entry_hash, :signed_at, :key_id, :signature)"
            " ON CONFLICT DO NOTHING"
        ),
        [c.__dict__ for c in signed],
    )


def entry_rows(account: str) -> Select[Any]:
    """The columns a reader needs, of one account's entries."""
    return select(
        entries.c.sequence, entries.c.prev_hash, entries.c.entry_hash, entries.c.body
    ).where(entries.c.account == account)


# One pass over a stretch of the chain, inside PostgreSQL: each entry's hash recomputed from
# its stored bytes, its link to the entry before and its sequence checked. Only the first entry
# that fails comes back; the caller re-checks it with the pure code in `chain` to say why.
SCAN = text(
    """
    WITH checked AS (
        SELECT sequence,
            sequence = coalesce(lag(sequence) OVER w, :after) + 1
            AND prev_hash = coalesce(lag(entry_hash) OVER w, :after_hash)
            AND pg_catalog.sha256(prev_hash || convert_to(body, 'UTF8')) = entry_hash AS sound
        FROM audit.entries
        WHERE account = :account AND sequence > :after AND sequence <= :through
        WINDOW w AS (ORDER BY sequence)
    )
    SELECT count(*) AS entries, max(sequence) AS last_sequence,
        min(sequence) FILTER (WHERE NOT sound) AS first_unsound
    FROM checked
    """
)


@dataclass(frozen=True)
class Scan:
    entries: int
    last_sequence: int | None
    first_unsound: int | None


async def scan(conn: AsyncConnection, account: str, after: Head, through: int) -> Scan:
    """Check the entries after `after` up to sequence `through`."""
    row = (
        await conn.execute(
            SCAN,
            {
                "account": account,
                "after": after.sequence,
                "after_hash": after.entry_hash,
                "through": through,
            },
        )
    ).one()
    return Scan(row.entries, row.last_sequence, row.first_unsound)


async def head_within(conn: AsyncConnection, account: str, above: int, through: int) -> Head | None:
    """The last entry with above < sequence <= through, if any."""
    row = (
        await conn.execute(
            select(entries.c.sequence, entries.c.entry_hash)
            .where(
                entries.c.account == account,
                entries.c.sequence > above,
                entries.c.sequence <= through,
            )
            .order_by(entries.c.sequence.desc())
            .limit(1)
        )
    ).first()
    return Head(row.sequence, bytes(row.entry_hash)) if row else None


async def links_between(
    conn: AsyncConnection, account: str, after: int, through: int
) -> list[Link]:
    rows = await conn.execute(
        entry_rows(account)
        .where(entries.c.sequence > after, entries.c.sequence <= through)
        .order_by(entries.c.sequence)
    )
    return [link_of(r) for r in rows]


async def link_at(conn: AsyncConnection, account: str, sequence: int) -> Link | None:
    row = (await conn.execute(entry_rows(account).where(entries.c.sequence == sequence))).first()
    return link_of(row) if row else None


async def link_before(conn: AsyncConnection, account: str, sequence: int) -> Link | None:
    """The last entry before `sequence` (the one a break is measured against)."""
    row = (
        await conn.execute(
            entry_rows(account)
            .where(entries.c.sequence < sequence)
            .order_by(entries.c.sequence.desc())
            .limit(1)
        )
    ).first()
    return link_of(row) if row else None


def link_of(row: Row[Any]) -> Link:
    return Link(row.sequence, bytes(row.prev_hash), bytes(row.entry_hash), row.body.encode())


async def checkpoints_after(
    conn: AsyncConnection, account: str, after: int, through: int | None
) -> list[Checkpoint]:
    """The account's checkpoints with after < sequence (<= through, unless None)."""
    query = select(checkpoints).where(
        checkpoints.c.account == account, checkpoints.c.sequence > after
    )
    if through is not None:
        query = query.where(checkpoints.c.sequence <= through)
    rows = await conn.execute(query.order_by(checkpoints.c.sequence, checkpoints.c.signed_at))
    return [
        Checkpoint(
            r.account, r.sequence, bytes(r.entry_hash), r.signed_at, r.key_id, bytes(r.signature)
        )
        for r in rows
    ]


async def entry_hashes(
    conn: AsyncConnection, account: str, sequences: list[int]
) -> dict[int, bytes]:
    rows = await conn.execute(
        select(entries.c.sequence, entries.c.entry_hash).where(
            entries.c.account == account, entries.c.sequence.in_(sequences)
        )
    )
    return {r.sequence: bytes(r.entry_hash) for r in rows}


ACCOUNTS = text(
    """
    WITH RECURSIVE accounts(account) AS (
        (SELECT account FROM audit.entries ORDER BY account LIMIT 1)
        UNION ALL
        SELECT (SELECT e.account FROM audit.entries e WHERE e.account > a.account
                ORDER BY e.account LIMIT 1)
        FROM accounts a WHERE a.account IS NOT NULL
    )
    SELECT account FROM accounts WHERE account IS NOT NULL
    """
)


async def accounts(conn: AsyncConnection) -> list[str]:
    """Every account with entries (a skip scan of the primary key, not a full scan)."""
    return [r.account for r in await conn.execute(ACCOUNTS)]
