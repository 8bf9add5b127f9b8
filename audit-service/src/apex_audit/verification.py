"""Verification: recompute an account's chain and check every signed checkpoint in it."""

import asyncio
import time

from prometheus_client import Counter, Gauge
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from apex_contracts.audit import AuditVerification, BrokenAt, VerifyAudit
from apex_runtime.tasks import MessageContext

from . import store
from .chain import GENESIS, Break, Head, check_links
from .signing import CheckpointKeys, KeySource, checkpoint_message

VERIFICATIONS = Counter(
    "apex_audit_verifications_total", "audit.verify answers by result", ["result"]
)
VERIFIED, BROKEN = VERIFICATIONS.labels("verified"), VERIFICATIONS.labels("broken")
LAST_RESULT = Gauge(
    "apex_audit_verify_last_result",
    "The last verification: 1 verified, 0 found a break (NaN: none yet)",
)
LAST_RESULT.set(float("nan"))  # not 0: a process that has not verified has found no break
LAST_AT = Gauge("apex_audit_verify_last_timestamp_seconds", "When the last verification ended")


async def verify(
    query: VerifyAudit,
    ctx: MessageContext,
    engine: AsyncEngine,
    keys: KeySource,
    chunk: int,
    parallel: int = 2,
) -> AuditVerification:
    """Recompute one stretch of the account's chain and check the checkpoints signed in it.

    The stretch is cut in `parallel` ranges scanned at once on their own connections; each
    range starts from the stored hash of the entry before it, which the range before checks.
    Entries are never changed once committed and an account's entries commit in sequence
    order, so every entry up to the head read first is visible to every scan.
    """
    account = ctx.account
    start = Head(
        query.after_sequence, bytes.fromhex(query.after_hash) if query.after_hash else GENESIS
    )
    trusted = await keys()
    async with engine.connect() as conn:
        log_head = await store.head_of(conn, account)
    through = min(start.sequence + (query.limit or chunk), log_head.sequence)
    complete = through >= log_head.sequence
    scans = await asyncio.gather(
        *(
            _scan_range(engine, account, start, low, high)
            for low, high in _ranges(start.sequence, through, parallel)
        )
    )
    unsound = [s.first_unsound for s in scans if s.first_unsound is not None]
    end = max([start.sequence, *(s.last_sequence or 0 for s in scans)])
    snapshot = engine.execution_options(isolation_level="REPEATABLE READ")
    async with snapshot.connect() as conn, conn.begin():
        broken: Break | None = None
        if unsound:
            broken = await _why_unsound(conn, account, start, min(unsound))
        elif end < through:  # the stretch ends early, yet entry `through` or a later one exists
            broken = Break(end + 1, "gap", f"entry {end + 1} is missing (the log goes on)")
        if broken is not None:
            end, complete = broken.sequence - 1, True
        signed = await store.checkpoints_after(
            conn, account, start.sequence, None if complete else end
        )
        if broken is not None:
            signed = [c for c in signed if c.sequence < broken.sequence]
        signed_break, checked = await _check_checkpoints(conn, account, signed, trusted, end)
        if signed_break is not None and (broken is None or signed_break.sequence < broken.sequence):
            broken, complete = signed_break, True
        valid_through = broken.sequence - 1 if broken else end
        head = start
        if valid_through > start.sequence:
            last = await store.link_at(conn, account, valid_through)
            assert last is not None
            head = Head(last.sequence, last.entry_hash)
    answer = AuditVerification(
        account=account,
        verified=broken is None,
        entries=head.sequence - start.sequence,
        head_sequence=head.sequence,
        head_hash=head.entry_hash.hex() if head.sequence else None,
        broken_at=BrokenAt(sequence=broken.sequence, reason=broken.reason, detail=broken.detail)
        if broken
        else None,
        checkpoints=checked,
        complete=complete,
    )
    (VERIFIED if answer.verified else BROKEN).inc()
    LAST_RESULT.set(1 if answer.verified else 0)
    LAST_AT.set(time.time())
    return answer


def _ranges(after: int, through: int, parts: int) -> list[tuple[int, int]]:
    """(after, through] cut in up to `parts` consecutive ranges (low, high]."""
    if through <= after:
        return []
    size = -(-(through - after) // parts)
    return [(low, min(low + size, through)) for low in range(after, through, size)]


async def _scan_range(
    engine: AsyncEngine, account: str, start: Head, low: int, high: int
) -> store.Scan:
    async with engine.connect() as conn:
        before = start
        if low > start.sequence:
            before = await store.head_within(conn, account, start.sequence, low) or start
        return await store.scan(conn, account, before, high)


async def _why_unsound(conn: AsyncConnection, account: str, start: Head, at: int) -> Break:
    """Re-check the first entry the scan rejected, with the pure chain code, to say why."""
    before = await store.link_before(conn, account, at)
    previous = (
        Head(before.sequence, before.entry_hash)
        if before is not None and before.sequence > start.sequence
        else start
    )
    failing = await store.link_at(conn, account, at)
    assert failing is not None
    found = check_links([failing], previous).broken_at
    return found or Break(at, "hash_mismatch", f"entry {at} failed the scan")


async def _check_checkpoints(
    conn: AsyncConnection,
    account: str,
    signed: list[store.Checkpoint],
    keys: CheckpointKeys,
    log_end: int,
) -> tuple[Break | None, int]:
    """The first checkpoint that is forged, contradicts the log or outlives its end."""
    logged = await store.entry_hashes(
        conn, account, [c.sequence for c in signed if c.sequence <= log_end]
    )
    for checked, cp in enumerate(signed):
        message = checkpoint_message(account, cp.sequence, cp.entry_hash, cp.signed_at)
        problem = keys.check(cp.key_id, message, cp.signature)
        if problem:
            return Break(
                cp.sequence, "bad_signature", f"checkpoint {cp.sequence}: {problem}"
            ), checked
        if cp.sequence > log_end:
            detail = f"checkpoint {cp.sequence} was signed, but the log ends at entry {log_end}"
            return Break(log_end + 1, "truncated", detail), checked
        if logged.get(cp.sequence) != cp.entry_hash:
            detail = f"entry {cp.sequence} differs from the hash its signed checkpoint holds"
            return Break(cp.sequence, "checkpoint_mismatch", detail), checked
    return None, len(signed)
