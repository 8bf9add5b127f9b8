"""Webhook targets: loopback, private and link-local addresses are refused unless allowed."""

import ipaddress

import pytest

from apex_notifications.targets import (
    ForbiddenTarget,
    GuardedResolver,
    check_addresses,
    check_url,
    forbidden_reason,
)
from apex_notifications.webhook_client import DeliveryRefused, SignedEvent, WebhookClient


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("0.0.0.0", "private"),
        ("100.64.0.1", "not globally reachable"),
        ("224.0.0.1", "multicast"),
    ],
)
def test_non_public_addresses_are_refused(address: str, reason: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None


def test_one_private_answer_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(ForbiddenTarget, match=r"10\.0\.0\.7"):
        check_addresses("mixed.example", ["8.8.8.8", "10.0.0.7"])


async def test_literal_and_named_private_targets_are_refused() -> None:
    resolver = GuardedResolver(lambda: False)
    for url in ("http://127.0.0.1:9/hook", "http://[::1]/hook", "http://169.254.169.254/"):
        with pytest.raises(ForbiddenTarget):
            await check_url(url, resolver)
    with pytest.raises(ForbiddenTarget, match="loopback"):
        await check_url("http://localhost:9/hook", resolver)  # resolved, then checked


async def test_private_targets_pass_when_allowed() -> None:
    await check_url("http://localhost:9/hook", GuardedResolver(lambda: True))


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://localhost:9/hook"])
async def test_the_client_refuses_before_connecting(url: str) -> None:
    client = WebhookClient(2.0, lambda: False)
    try:
        with pytest.raises(DeliveryRefused, match="refused"):
            await client.post(url, "secret" * 6, SignedEvent("e1", "project.created", b"{}"))
    finally:
        await client.close()


async def test_a_name_that_does_not_exist_is_refused_even_when_private_is_allowed() -> None:
    resolver = GuardedResolver(lambda: True)
    with pytest.raises(ForbiddenTarget, match="does not resolve"):
        await check_url("http://no-such-host.invalid/hook", resolver)
    client = WebhookClient(2.0, lambda: True)
    try:
        with pytest.raises(DeliveryRefused, match="does not resolve"):
            event = SignedEvent("e1", "project.created", b"{}")
            await client.post("http://no-such-host.invalid/hook", "secret" * 6, event)
    finally:
        await client.close()
