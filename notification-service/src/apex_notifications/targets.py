"""Where a webhook may point: public addresses only, checked on every address a name resolves to.

A name is resolved once per connection by `GuardedResolver`, and aiohttp connects to exactly
the addresses that were checked, so a name that resolves to a public address when registered
and to 127.0.0.1 later (DNS rebinding) is refused at delivery too.
"""

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class ForbiddenTarget(ValueError):
    """The target is loopback, private, link-local or otherwise not on the public internet."""


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why `ip` is not a public address, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return forbidden_reason(ip.ipv4_mapped)
    for reason, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
    ):
        if flag:
            return reason
    if not ip.is_global:  # e.g. 100.64.0.0/10 (shared address space)
        return "not globally reachable"
    return None


def check_addresses(host: str, addresses: Iterable[str]) -> None:
    """Refuse if any address of `host` is not public (one bad answer is enough)."""
    for text in addresses:
        ip = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
        reason = forbidden_reason(ip)
        if reason is not None:
            raise ForbiddenTarget(f"{host} resolves to {ip}, a {reason} address")


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses names resolving to non-public addresses."""

    def __init__(self, allow_private: Callable[[], bool]) -> None:
        self.allow_private = allow_private
        self._inner: ThreadedResolver | None = None

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if self._inner is None:
            self._inner = ThreadedResolver()
        answers = await self._inner.resolve(host, port, family)
        if not self.allow_private():
            check_addresses(host, [a["host"] for a in answers])
        return answers

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()


async def check_url(url: str, resolver: GuardedResolver) -> None:
    """Refuse `url` unless its host resolves, every address being public (unless allowed).

    aiohttp does not call a resolver for an IP literal, so literals are checked here.
    """
    host = urlsplit(url).hostname or ""
    if not host:
        raise ForbiddenTarget(f"{url} names no host")
    ip = literal_address(host)
    if ip is not None:
        if not resolver.allow_private():
            check_addresses(host, [str(ip)])
        return
    try:
        await resolver.resolve(host, 0, socket.AF_UNSPEC)
    except OSError as exc:
        raise ForbiddenTarget(f"{host} does not resolve: {exc}") from exc
