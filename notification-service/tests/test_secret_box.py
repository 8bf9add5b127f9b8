"""Webhook secrets at rest."""

import pytest

from apex_notifications.secret_box import SecretBox


def test_a_sealed_secret_opens_only_for_its_webhook_and_key() -> None:
    box = SecretBox("key material")
    sealed = box.seal("the secret", "webhook-1")
    assert b"the secret" not in sealed
    assert box.open(sealed, "webhook-1") == "the secret"
    with pytest.raises(ValueError):
        box.open(sealed, "webhook-2")
    with pytest.raises(ValueError):
        SecretBox("another key").open(sealed, "webhook-1")
