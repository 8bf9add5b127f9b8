"""`security.*` events for the audit log: published off the request path, never slowing it.

A refusal must cost the gateway little even in a flood, so events wait in a bounded queue that
one task drains (confirmed publishes to `apex.events`). When the queue is full, or RabbitMQ is
unreachable, an event is dropped and counted (`apex_gateway_security_events_dropped_total`).
"""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from aiohttp import web
from prometheus_client import Counter

from apex_contracts import security as s
from apex_contracts import topology as t
from apex_runtime.amqp_client import BrokerClient, BrokerUnavailable

from .principal import Principal

log = logging.getLogger(__name__)
DROPPED = Counter(
    "apex_gateway_security_events_dropped_total",
    "security.* events not published (queue full or broker unreachable)",
)
QUEUE_CAPACITY = 1000


class SecurityEvents:
    def __init__(self, broker: BrokerClient, capacity: int = QUEUE_CAPACITY) -> None:
        self.broker = broker
        self._queue: asyncio.Queue[tuple[str, s.SecurityEvent]] = asyncio.Queue(capacity)
        self._task: asyncio.Task[None] | None = None

    def auth_failed(self, request: web.Request, client_ip: str, reason: str) -> None:
        headers = request.headers
        credential = (
            "bearer"
            if "Authorization" in headers
            else "api_key"
            if "x-apex-key" in headers
            else "none"
        )
        self._add(
            t.AUTH_FAILED,
            s.AuthFailed(
                account=t.SECURITY_ACCOUNT,
                actor=None,
                credential=credential,
                reason=reason,
                **_origin(request, client_ip),
            ),
        )

    def rate_limited(
        self,
        request: web.Request,
        client_ip: str,
        principal: Principal | None,
        bucket: str,
        retry_after_s: int,
    ) -> None:
        self._add(
            t.RATE_LIMITED,
            s.RateLimited(
                account=principal.account if principal else t.SECURITY_ACCOUNT,
                actor=principal.actor if principal else None,
                bucket=bucket,
                retry_after_s=retry_after_s,
                **_origin(request, client_ip),
            ),
        )

    def _add(self, routing_key: str, event: s.SecurityEvent) -> None:
        try:
            self._queue.put_nowait((routing_key, event))
        except asyncio.QueueFull:
            DROPPED.inc()

    def start(self) -> None:
        self._task = asyncio.create_task(self._publish_forever())

    async def stop(self, grace_s: float = 2.0) -> None:
        """Publish what is queued (for at most `grace_s`), then stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), grace_s)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _publish_forever(self) -> None:
        while True:
            routing_key, event = await self._queue.get()
            try:
                await self.broker.publish_event(
                    routing_key,
                    event.model_dump_json().encode(),
                    message_id=str(uuid4()),
                    headers={t.HEADER_ACCOUNT: event.account}
                    | ({t.HEADER_ACTOR: event.actor} if event.actor else {}),
                )
            except BrokerUnavailable:
                DROPPED.inc()
                log.warning("security event dropped: RabbitMQ unreachable", exc_info=True)
            finally:
                self._queue.task_done()


def _origin(request: web.Request, client_ip: str) -> dict[str, Any]:
    """Where and when a refused request came: the fields every security event carries."""
    return {
        "client_ip": client_ip,
        "method": request.method,
        "path": request.path,
        "occurred_at": datetime.now(UTC),
    }
