"""POSTing a signed event to a webhook with aiohttp; a failure is either retried or final."""

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import orjson
from prometheus_client import Counter, Histogram
from yarl import URL

from apex_contracts.tasks import ErrorCode
from apex_runtime.errors import DomainError

from .signing import EVENT_ID_HEADER, SIGNATURE_HEADER, signature_header
from .targets import ForbiddenTarget, GuardedResolver, check_addresses, literal_address

USER_AGENT = "APEX-Webhooks/1"
RETRIED_STATUSES = frozenset({408, 425, 429})
DELIVERIES = Counter(
    "apex_notifications_webhook_deliveries_total",
    "Webhook POSTs by outcome: delivered (2xx), deferred (retried), refused (final)",
    ["outcome"],
)
DELIVERED, DEFERRED, REFUSED = (DELIVERIES.labels(o) for o in ("delivered", "deferred", "refused"))
POST_SECONDS = Histogram(
    "apex_notifications_webhook_post_seconds",
    "How long a webhook POST took, answered or not",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class DeliveryRefused(DomainError):
    """Final: the target is not allowed, or the receiver answered a 4xx that a retry won't fix."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(ErrorCode.INVALID, message)
        self.status = status


class DeliveryDeferred(Exception):
    """Worth a retry: connection failure, timeout, 5xx, 408, 429."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SignedEvent:
    event_id: str
    event_type: str
    body: bytes


def event_body(event_id: str, event_type: str, account: str, data: str) -> bytes:
    """The JSON a receiver gets: the event as published, under `data`, with its id and type."""
    return orjson.dumps(
        {"id": event_id, "type": event_type, "account": account, "data": orjson.Fragment(data)}
    )


class WebhookClient:
    """One aiohttp session (made on first use) whose resolver refuses non-public addresses."""

    def __init__(self, timeout_s: float, allow_private: Callable[[], bool]) -> None:
        self.timeout_s = timeout_s
        self.resolver = GuardedResolver(allow_private)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(resolver=self.resolver, limit=100),
                timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                headers={"User-Agent": USER_AGENT},
                trust_env=False,  # no proxy from the environment: the address check must hold
            )
        return self._session

    async def post(self, url: str, secret: str, event: SignedEvent) -> int:
        """POST `event` signed with `secret`; the receiver's status, or a classified error."""
        started = time.perf_counter()
        try:
            status = await self._post(url, secret, event)
        except DeliveryRefused:
            REFUSED.inc()
            raise
        except DeliveryDeferred:
            DEFERRED.inc()
            raise
        finally:
            POST_SECONDS.observe(time.perf_counter() - started)
        DELIVERED.inc()
        return status

    async def _post(self, url: str, secret: str, event: SignedEvent) -> int:
        host = URL(url).host or ""
        literal = literal_address(host)
        failure: DeliveryDeferred | None = None
        try:
            if literal is not None and not self.resolver.allow_private():
                check_addresses(host, [str(literal)])  # aiohttp skips the resolver for literals
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature_header(secret, event.body),
                EVENT_ID_HEADER: event.event_id,
                "X-Apex-Event-Type": event.event_type,
            }
            async with self._client().post(
                url, data=event.body, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
        except ForbiddenTarget as exc:
            raise DeliveryRefused(f"webhook target refused: {exc}") from exc
        except aiohttp.ClientConnectorDNSError as exc:
            if exc.os_error.errno == socket.EAI_NONAME:  # the name does not exist: no retry helps
                raise DeliveryRefused(f"{host} does not resolve: {exc.os_error}") from exc
            failure = DeliveryDeferred(f"{type(exc).__name__}: {exc}")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            failure = DeliveryDeferred(f"{type(exc).__name__}: {exc}")
        if failure is not None:
            # Raised outside the `except`: a receiver that is down is not an outage of ours to
            # wait out, so each attempt counts and the delivery fails after the last one.
            raise failure
        if 200 <= status < 300:
            return status
        if status >= 500 or status in RETRIED_STATUSES:
            raise DeliveryDeferred(f"the receiver answered {status}", status)
        raise DeliveryRefused(f"the receiver answered {status}", status)
