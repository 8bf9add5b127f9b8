"""Webhook secrets at rest: AES-256-GCM under `APEX_WEBHOOK_SECRET_KEY`, bound to the webhook id.

The service must sign every delivery, so it keeps the secret itself rather than a hash; a
database dump without the key reveals none, and a ciphertext copied onto another webhook's row
does not decrypt (the webhook id is the associated data).
"""

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class SecretBox:
    def __init__(self, key_material: str) -> None:
        # Any length of key material: SHA-256 makes it the 32 bytes AES-256 needs.
        self._aead = AESGCM(hashlib.sha256(key_material.encode()).digest())

    def seal(self, secret: str, webhook_id: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, secret.encode(), webhook_id.encode())

    def open(self, sealed: bytes, webhook_id: str) -> str:
        nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, ciphertext, webhook_id.encode()).decode()
        except InvalidTag as exc:
            raise ValueError(f"the secret of webhook {webhook_id} does not decrypt") from exc
