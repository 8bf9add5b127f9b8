"""What operators see: the system's status and the dead letters (`/admin/...`, `apex status`)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .base import Strict, example


class Heartbeat(BaseModel):
    """One process's readiness as it last wrote it (`topology.REDIS_HEARTBEATS`)."""

    service: str
    instance: str  # host and process id
    ready: bool
    checks: dict[str, str]  # each check's outcome: "ok" or its error
    at: datetime


class ServiceStatus(BaseModel):
    name: str
    ready: bool  # every live instance ready, and at least one live
    detail: str | None = None  # why not, or what is limited
    instances: list[Heartbeat] = []


class QueueStatus(BaseModel):
    name: str
    messages: int | None = None  # ready to deliver (None: could not be read)
    consumers: int | None = None
    error: str | None = None


class BrokerStatus(BaseModel):
    blocked: bool  # RabbitMQ refuses publishes (a memory or disk alarm), or does not confirm
    reason: str | None = None


class SystemStatus(BaseModel):
    """`GET /admin/status`."""

    services: list[ServiceStatus]
    queues: list[QueueStatus]
    dead_letters: int | None
    broker: BrokerStatus


class DeadLetter(BaseModel):
    """A parked message, as `GET /admin/dead-letters` shows it."""

    id: str  # the message id, or `sha256:<hex>` of one that has none
    message_id: str | None
    queue: str | None  # where a replay sends it (None: unknown, it stays)
    routing_key: str
    task_id: str | None
    reason: str
    account: str | None
    content_type: str | None
    headers: dict[str, Any]
    body: str
    body_encoding: Literal["utf-8", "base64"]


class DeadLetterQuery(BaseModel):
    """The query of `GET /admin/dead-letters`: bound for `queue`, the reason containing
    `reason` (any case), at most `limit`."""

    model_config = ConfigDict(extra="forbid")

    queue: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    limit: int = Field(default=100, ge=1, le=500)

    def matches(self, letter: DeadLetter) -> bool:
        return (self.queue is None or letter.queue == self.queue) and (
            self.reason is None or self.reason.lower() in letter.reason.lower()
        )


class DeadLetterPage(BaseModel):
    items: list[DeadLetter]
    total: int  # dead letters of the account that match, of those looked at


class Replayed(BaseModel):
    id: str
    queue: str


class ReplayResult(BaseModel):
    """`POST /admin/dead-letters/{id}/replay` and `POST /admin/dead-letters/replay`."""

    replayed: list[Replayed]


class ReplayAll(Strict):
    """Body of `POST /admin/dead-letters/replay` (optional): only those bound for `queue`."""

    model_config = example({"queue": "project-service.commands"})

    queue: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
