"""Ed25519 keys for signed checkpoints: loading, generating for development, signing, checking.

A checkpoint signs the canonical JSON `{"account", "entry_hash", "sequence", "signed_at"}`
(`entry_hash` hex, `signed_at` ISO 8601 UTC), so anyone holding the public key can check it.
"""

import asyncio
import base64
import binascii
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .canonical import canonical_json
from .chain import iso_utc

log = logging.getLogger(__name__)
DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "test"})
RAW = serialization.Encoding.Raw


class SigningKeyMissing(RuntimeError):
    """Outside development the signing key must be configured, never generated."""


def checkpoint_message(
    account: str, sequence: int, entry_hash: bytes, signed_at: datetime
) -> bytes:
    """The exact bytes a checkpoint's signature covers."""
    return canonical_json(
        {
            "account": account,
            "entry_hash": entry_hash.hex(),
            "sequence": sequence,
            "signed_at": iso_utc(signed_at),
        }
    )


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(RAW, serialization.PublicFormat.Raw)


def key_id_of(key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


@dataclass(frozen=True)
class CheckpointKeys:
    """The current signing key and every public key whose checkpoints are still trusted."""

    private: Ed25519PrivateKey
    trusted: dict[str, Ed25519PublicKey]

    @classmethod
    def of(cls, private: Ed25519PrivateKey, earlier: list[Ed25519PublicKey]) -> "CheckpointKeys":
        keys = [private.public_key(), *earlier]
        return cls(private, {key_id_of(k): k for k in keys})

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id_of(self.public)

    @property
    def public_base64(self) -> str:
        return base64.b64encode(raw_public(self.public)).decode()

    @property
    def public_pem(self) -> str:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def check(self, key_id: str, message: bytes, signature: bytes) -> str | None:
        """None when a trusted key signed `message`; otherwise what is wrong."""
        key = self.trusted.get(key_id)
        if key is None:
            return f"signed by key {key_id}, which is not a trusted key"
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return f"the signature does not match (key {key_id})"
        return None


def parse_private_key(text: str) -> Ed25519PrivateKey:
    """A PEM (PKCS#8) Ed25519 key, or its 32-byte seed as base64, base64url or hex."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("APEX_AUDIT_SIGNING_KEY is a PEM key but not an Ed25519 one")
        return key
    return Ed25519PrivateKey.from_private_bytes(_seed(text))


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A trusted earlier public key: PEM, or 32 raw bytes as base64, base64url or hex."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("a trusted audit key is not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(_seed(text))


def _seed(text: str) -> bytes:
    if len(text) == 64:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    try:
        raw = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_") + "==")
    except (binascii.Error, ValueError) as exc:
        raise ValueError("an audit key is neither PEM, hex nor base64") from exc
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 key is 32 bytes, this one is {len(raw)}")
    return raw


def load_keys(
    configured: str | None, key_file: str, trusted: str, environment: str
) -> CheckpointKeys:
    """The signing key from `APEX_AUDIT_SIGNING_KEY`; in development, from (or generated into)
    `key_file`. `trusted` lists earlier public keys, comma-separated."""
    earlier = [parse_public_key(k) for k in trusted.split(",") if k.strip()]
    if configured:
        return CheckpointKeys.of(parse_private_key(configured), earlier)
    if environment not in DEVELOPMENT_ENVIRONMENTS:
        raise SigningKeyMissing(
            f"set APEX_AUDIT_SIGNING_KEY: checkpoints are never signed with a generated key "
            f"outside development (environment {environment!r})"
        )
    return CheckpointKeys.of(_development_key(Path(key_file)), earlier)


def _development_key(path: Path) -> Ed25519PrivateKey:
    """Read the development key, or create it once (mode 0600) if there is none yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        seed = Ed25519PrivateKey.generate().private_bytes(
            RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(fd, "w") as out:
                out.write(base64.b64encode(seed).decode() + "\n")
            log.warning(
                "generated a development audit signing key", extra={"path": str(path.resolve())}
            )
    return parse_private_key(path.read_text())


class KeySource:
    """Loads the keys once, on first use, off the event loop (building the app does no I/O)."""

    def __init__(
        self, configured: str | None, key_file: str, trusted: str, environment: str
    ) -> None:
        self._args = (configured, key_file, trusted, environment)
        self._keys: CheckpointKeys | None = None
        self._lock = asyncio.Lock()

    async def __call__(self) -> CheckpointKeys:
        if self._keys is None:
            async with self._lock:
                if self._keys is None:
                    self._keys = await asyncio.to_thread(load_keys, *self._args)
        return self._keys
