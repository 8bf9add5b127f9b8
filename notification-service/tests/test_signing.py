"""Webhook signatures as a receiver checks them."""

import hashlib
import hmac
import re

from apex_notifications.signing import signature_header, verify

SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret"
BODY = b'{"id":"e1","type":"project.submitted","data":{}}'


def test_header_is_t_and_hex_hmac_of_t_dot_body() -> None:
    header = signature_header(SECRET, BODY, timestamp=1_800_000_000)
    match = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", header)
    assert match is not None
    expected = hmac.new(SECRET.encode(), b"1800000000." + BODY, hashlib.sha256).hexdigest()
    assert match.group(1) == "1800000000" and match.group(2) == expected


def test_signature_verifies_with_the_secret() -> None:
    header = signature_header(SECRET, BODY, timestamp=1_800_000_000)
    assert verify(SECRET, header, BODY, now=1_800_000_010)


def test_another_secret_a_changed_body_or_an_old_timestamp_fails() -> None:
    header = signature_header(SECRET, BODY, timestamp=1_800_000_000)
    assert not verify("another-secret", header, BODY, now=1_800_000_000)
    assert not verify(SECRET, header, BODY + b" ", now=1_800_000_000)
    assert not verify(SECRET, header, BODY, now=1_800_000_000 + 301)
    assert not verify(SECRET, "v1=deadbeef", BODY, now=1_800_000_000)
