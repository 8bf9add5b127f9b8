"""The hash chain: what an entry is, how it is sealed to the one before, how a chain is checked.

An entry *is* its canonical JSON document (`entry_document`); the hash covers every field of
it, listed in `COVERED_FIELDS`. Entry `n` of an account is sealed with
`entry_hash = SHA-256(prev_hash ‖ canonical JSON)`, where `prev_hash` is the raw 32-byte hash
of entry `n - 1` and 32 zero bytes for entry 1. Pure code: no I/O.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .canonical import canonical_json

GENESIS = bytes(32)
ENTRY_VERSION = 1

# Every field an entry has, all of them covered by its hash (together with `prev_hash`).
COVERED_FIELDS = (
    "v",  # entry format version
    "account",
    "sequence",  # 1, 2, 3, ... within the account, no gaps
    "kind",  # "event" (from apex.events, security.* included) or "command" (apex.commands)
    "message_id",
    "routing_key",
    "actor",
    "subject",  # {"project_id", "document_id"}: whichever the payload names
    "task_id",
    "occurred_at",  # ISO 8601 UTC; the event's own time, else the time it was received
    "recorded_at",  # ISO 8601 UTC; when the entry was appended
    "trace_id",
    "payload",  # the message body, after redaction
    "redacted",  # paths of the payload values that were redacted at ingest
)
SUBJECT_FIELDS = ("project_id", "document_id")


@dataclass(frozen=True)
class Draft:
    """An entry before it has a place in the chain."""

    kind: str
    account: str
    message_id: str
    routing_key: str
    actor: str | None
    subject: dict[str, str]
    task_id: str | None
    occurred_at: datetime
    trace_id: str | None
    payload: dict[str, Any]
    redacted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Head:
    """The last entry of a chain: its sequence and hash (sequence 0 and GENESIS when empty)."""

    sequence: int = 0
    entry_hash: bytes = GENESIS


@dataclass(frozen=True)
class Link:
    """An entry as stored: its place, its hashes and its canonical bytes."""

    sequence: int
    prev_hash: bytes
    entry_hash: bytes
    body: bytes
    message_id: str = field(default="", compare=False)


def iso_utc(moment: datetime) -> str:
    """`2026-11-26T05:55:00.123456Z`: one spelling per instant (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_document(draft: Draft, sequence: int, recorded_at: datetime) -> dict[str, Any]:
    """The JSON document of entry `sequence`; its canonical bytes are what the hash covers."""
    return {
        "v": ENTRY_VERSION,
        "account": draft.account,
        "sequence": sequence,
        "kind": draft.kind,
        "message_id": draft.message_id,
        "routing_key": draft.routing_key,
        "actor": draft.actor,
        "subject": dict(draft.subject),
        "task_id": draft.task_id,
        "occurred_at": iso_utc(draft.occurred_at),
        "recorded_at": iso_utc(recorded_at),
        "trace_id": draft.trace_id,
        "payload": draft.payload,
        "redacted": list(draft.redacted),
    }


def entry_hash(prev_hash: bytes, body: bytes) -> bytes:
    """SHA-256(prev_hash ‖ body): the link between an entry and the one before it."""
    return hashlib.sha256(prev_hash + body).digest()


def seal(drafts: Iterable[Draft], head: Head, recorded_at: datetime) -> list[Link]:
    """Append drafts after `head`: consecutive sequences, each hash chained to the last."""
    links = []
    sequence, prev = head.sequence, head.entry_hash
    for draft in drafts:
        sequence += 1
        body = canonical_json(entry_document(draft, sequence, recorded_at))
        digest = entry_hash(prev, body)
        links.append(Link(sequence, prev, digest, body, draft.message_id))
        prev = digest
    return links


@dataclass(frozen=True)
class Break:
    """Where a chain stops being trustworthy, and why."""

    sequence: int
    reason: str  # gap | link_mismatch | hash_mismatch | bad_signature | ...
    detail: str


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking links in order: the valid prefix and the first break, if any."""

    head: Head
    entries: int
    broken_at: Break | None


def check_links(links: Iterable[Link], start: Head = Head()) -> ChainCheck:
    """Recompute every link after `start` in sequence order; stop at the first break."""
    head, count = start, 0
    for link in links:
        expected = head.sequence + 1
        if link.sequence != expected:
            detail = (
                f"entry {expected} is missing (the next entry is {link.sequence})"
                if link.sequence > expected
                else f"entry {link.sequence} appears again after entry {head.sequence}"
            )
            return ChainCheck(head, count, Break(expected, "gap", detail))
        if link.prev_hash != head.entry_hash:
            detail = f"prev_hash of entry {expected} is not the hash of entry {expected - 1}"
            return ChainCheck(head, count, Break(expected, "link_mismatch", detail))
        if entry_hash(link.prev_hash, link.body) != link.entry_hash:
            detail = f"entry {expected} does not hash to its entry_hash: its content changed"
            return ChainCheck(head, count, Break(expected, "hash_mismatch", detail))
        head, count = Head(link.sequence, link.entry_hash), count + 1
    return ChainCheck(head, count, None)
