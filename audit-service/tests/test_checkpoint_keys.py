"""Checkpoint signatures: what is signed, which keys are trusted, where development keys live."""

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from apex_audit.chain import Head
from apex_audit.handlers import PendingCheckpoints
from apex_audit.signing import (
    CheckpointKeys,
    SigningKeyMissing,
    checkpoint_message,
    load_keys,
    parse_private_key,
    raw_public,
)

WHEN = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
HASH = bytes(range(32))


def test_the_signed_message_is_canonical_json_of_account_sequence_hash_and_time() -> None:
    assert checkpoint_message("acme", 1000, HASH, WHEN) == (
        b'{"account":"acme","entry_hash":"' + HASH.hex().encode() + b'",'
        b'"sequence":1000,"signed_at":"2026-11-26T06:00:00.000000Z"}'
    )


def test_a_signature_checks_with_the_public_key_only_for_the_same_message() -> None:
    keys = CheckpointKeys.of(Ed25519PrivateKey.generate(), [])
    message = checkpoint_message("acme", 1000, HASH, WHEN)
    signature = keys.sign(message)
    assert keys.check(keys.key_id, message, signature) is None
    keys.public.verify(signature, message)  # what an outside party does with the public key
    other = checkpoint_message("acme", 1000, bytes(32), WHEN)
    assert "does not match" in (keys.check(keys.key_id, other, signature) or "")


def test_checkpoints_of_an_unknown_key_are_not_trusted_until_the_key_is_listed() -> None:
    old = Ed25519PrivateKey.generate()
    message = checkpoint_message("acme", 5, HASH, WHEN)
    signature = old.sign(message)
    old_id = CheckpointKeys.of(old, []).key_id
    rotated = CheckpointKeys.of(Ed25519PrivateKey.generate(), [])
    assert "not a trusted key" in (rotated.check(old_id, message, signature) or "")
    trusting = CheckpointKeys.of(rotated.private, [old.public_key()])
    assert trusting.check(old_id, message, signature) is None


def test_a_configured_key_may_be_base64_hex_or_pem() -> None:
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes_raw()
    expected = raw_public(key.public_key())
    for text in (base64.b64encode(seed).decode(), seed.hex()):
        assert raw_public(parse_private_key(text).public_key()) == expected


def test_development_generates_a_key_once_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "var" / "audit-signing.key"
    first = load_keys(None, str(path), "", "development")
    again = load_keys(None, str(path), "", "development")
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert first.key_id == again.key_id


def test_production_never_generates_a_key(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyMissing):
        load_keys(None, str(tmp_path / "k"), "", "production")
    assert not (tmp_path / "k").exists()


def test_time_based_checkpoints_cover_heads_the_count_did_not_sign() -> None:
    pending = PendingCheckpoints(every=100)
    pending.advanced({"acme": Head(150, HASH), "other": Head(200, HASH)})
    assert pending.take() == {"acme": Head(150, HASH)}  # 200 was signed with its batch
    assert pending.take() == {}
    pending.give_back({"acme": Head(150, HASH)})
    assert list(pending.take()) == ["acme"]
