"""The hash chain: sealing entries and finding the exact entry where a chain was altered."""

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import orjson

from apex_audit.canonical import canonical_json
from apex_audit.chain import (
    COVERED_FIELDS,
    GENESIS,
    Draft,
    Head,
    check_links,
    entry_document,
    seal,
)

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def draft(i: int, account: str = "acme") -> Draft:
    return Draft(
        kind="event",
        account=account,
        message_id=f"m-{i}",
        routing_key="project.updated",
        actor="dev",
        subject={"project_id": "p-1"},
        task_id=None,
        occurred_at=NOW,
        trace_id=None,
        payload={"project_id": "p-1", "name": f"Pylon {i}", "height_ft": 24.5},
    )


def chain(n: int) -> list:  # type: ignore[type-arg]
    return seal([draft(i) for i in range(1, n + 1)], Head(), NOW)


def test_sequences_start_at_1_and_each_hash_covers_the_previous_one() -> None:
    links = chain(3)
    assert [link.sequence for link in links] == [1, 2, 3]
    assert links[0].prev_hash == GENESIS
    assert links[1].prev_hash == links[0].entry_hash
    assert links[2].entry_hash == hashlib.sha256(links[1].entry_hash + links[2].body).digest()


def test_the_hash_covers_every_field_of_the_entry() -> None:
    document = entry_document(draft(1), 1, NOW)
    assert tuple(document) == COVERED_FIELDS
    assert seal([draft(1)], Head(), NOW)[0].body == canonical_json(document)


def test_sealing_continues_after_a_head() -> None:
    first = chain(2)
    more = seal([draft(3)], Head(2, first[-1].entry_hash), NOW)
    assert check_links([*first, *more]).entries == 3


def test_an_untouched_chain_verifies() -> None:
    result = check_links(chain(5))
    assert result.broken_at is None
    assert result.entries == 5 and result.head.sequence == 5


def test_one_changed_byte_of_a_payload_is_found_at_its_entry() -> None:
    links = chain(5)
    body = links[2].body.replace(b"Pylon 3", b"Pylon 4")
    result = check_links([*links[:2], replace(links[2], body=body), *links[3:]])
    assert result.broken_at is not None
    assert (result.broken_at.sequence, result.broken_at.reason) == (3, "hash_mismatch")
    assert result.entries == 2 and result.head.sequence == 2


def test_a_deleted_entry_is_a_gap_at_its_sequence() -> None:
    links = chain(5)
    result = check_links([*links[:3], *links[4:]])
    assert result.broken_at is not None
    assert (result.broken_at.sequence, result.broken_at.reason) == (4, "gap")


def test_two_swapped_entries_break_at_the_first_of_them() -> None:
    links = chain(5)
    two, three = links[1], links[2]
    swapped = [links[0], replace(three, sequence=2), replace(two, sequence=3), *links[3:]]
    result = check_links(swapped)
    assert result.broken_at is not None
    assert (result.broken_at.sequence, result.broken_at.reason) == (2, "link_mismatch")


def test_swapped_payloads_with_recomputed_bodies_break_at_the_first() -> None:
    links = chain(4)
    docs = [orjson.loads(link.body) for link in links]
    docs[1]["payload"], docs[2]["payload"] = docs[2]["payload"], docs[1]["payload"]
    forged = [
        replace(link, body=canonical_json(doc)) for link, doc in zip(links, docs, strict=True)
    ]
    result = check_links(forged)
    assert result.broken_at is not None
    assert (result.broken_at.sequence, result.broken_at.reason) == (2, "hash_mismatch")


def test_a_rewritten_tail_with_fresh_hashes_still_breaks_at_the_link() -> None:
    links = chain(4)
    rewritten = seal([draft(9)], Head(2, b"\x01" * 32), NOW)  # chained to a wrong predecessor
    result = check_links([*links[:2], *rewritten])
    assert result.broken_at is not None
    assert (result.broken_at.sequence, result.broken_at.reason) == (3, "link_mismatch")


def test_checking_can_start_in_the_middle_of_a_chain() -> None:
    links = chain(6)
    result = check_links(links[3:], Head(3, links[2].entry_hash))
    assert result.broken_at is None and result.entries == 3


def test_accounts_do_not_share_a_chain() -> None:
    mine = seal([draft(1, "acme")], Head(), NOW)[0]
    theirs = seal([replace(draft(1, "other"))], Head(), NOW)[0]
    assert mine.sequence == theirs.sequence == 1
    assert mine.entry_hash != theirs.entry_hash  # the account is part of what is hashed
