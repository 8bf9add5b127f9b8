"""Checking a webhook delivery's `X-Apex-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the
HMAC of `"<t>.<raw body>"` keyed with the webhook's secret. Verify the bytes as received: a body
parsed and serialised again may differ by a space and no longer match."""

import hashlib
import hmac
import re
import time

SIGNATURE_HEADER = "X-Apex-Signature"
EVENT_ID_HEADER = "X-Apex-Event-Id"
DEFAULT_TOLERANCE_S = 300  # how far a signature's time may be from now, either way
_TIMESTAMP = re.compile(r"\d{1,15}")


def webhook_signature(secret: str, raw_body: bytes, timestamp: int) -> str:
    """The hex signature of one delivery, as the notification service computes it."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode(), hashlib.sha256)
    mac.update(raw_body)
    return mac.hexdigest()


def verify_webhook_signature(
    secret: str,
    header: str | None,
    raw_body: bytes,
    *,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """True when `header` carries a `v1` signature of `raw_body` made with `secret` within
    `tolerance_s` of now; false for a malformed header, a stale or future timestamp, or no
    matching signature (each `v1` compared in constant time)."""
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in (header or "").split(","):
        key, sep, value = item.partition("=")
        if sep and key.strip() == "t":
            timestamps.append(value.strip())
        elif sep and key.strip() == "v1":
            signatures.append(value.strip())
    if not timestamps or not _TIMESTAMP.fullmatch(timestamps[0]):
        return False
    signed_at = int(timestamps[0])
    if abs((time.time() if now is None else now) - signed_at) > tolerance_s:
        return False
    expected = webhook_signature(secret, raw_body, signed_at).encode()
    matches = [hmac.compare_digest(expected, candidate.encode()) for candidate in signatures]
    return any(matches)
