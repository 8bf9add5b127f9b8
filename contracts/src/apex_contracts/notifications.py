"""Email and webhook messages, owned by notification-service (their names: `topology`)."""

from datetime import datetime
from typing import Annotated, Final, Literal, get_args
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import AfterValidator, BaseModel, Field, HttpUrl, UrlConstraints

from .base import Message, Strict, example
from .pagination import decode_cursor
from .tasks import TaskError

WebhookEventType = Literal[
    "project.created",
    "project.updated",
    "project.deleted",
    "project.payload_saved",
    "project.submitted",
    "document.rendered",
    "notification.email_sent",
]
WEBHOOK_EVENT_TYPES: Final[tuple[str, ...]] = get_args(WebhookEventType)
MAX_WEBHOOKS_PER_ACCOUNT: Final = 50
# pending: attempts go on (or wait for their back-off); failed: no automatic attempt is left;
# skipped: the webhook was deleted first
DeliveryStatus = Literal["pending", "delivered", "failed", "skipped"]


def _unique(events: list[WebhookEventType]) -> list[WebhookEventType]:
    if len(set(events)) != len(events):
        raise ValueError("each event type may be listed once")
    return events


WebhookUrl = Annotated[HttpUrl, UrlConstraints(max_length=2000, allowed_schemes=["http", "https"])]
EventTypes = Annotated[
    list[WebhookEventType],
    Field(min_length=1, max_length=len(WEBHOOK_EVENT_TYPES)),
    AfterValidator(_unique),
]


# Email ----------------------------------------------------------------------------------


class EmailSent(Message):
    """`notification.email_sent`: the PM's email for a submission was accepted by SMTP."""

    model_config = example(
        {
            "submission_id": "b7e4d1a2-9c3f-4e8b-a6d5-2f1c0e9b8a74",
            "project_id": "3f6c2a8e-5b1d-4c7a-9e2f-8a1b6d4c0e93",
            "document_id": "d605449e76cb7d4bdd5c36b67f7fc97ce6238bb400060e36fd8591bdf94f48ee",
            "account": "demo",
            "actor": "dev",
            "recipient": "pm@acme-signs.example",
            "subject": "Calculation package: Main St pylon (submission #1)",
            "attached": True,
            "smtp_message_id": "<submission-b7e4d1a2-9c3f-4e8b-a6d5-2f1c0e9b8a74@apex.example>",
            "parent_task_id": "8c1f4e2b-7a9d-4b3e-8f6c-1d5a0e7b9c24",
            "occurred_at": "2026-12-01T14:00:09Z",
        }
    )

    submission_id: UUID
    project_id: UUID
    document_id: str
    account: str
    actor: str
    recipient: str
    subject: str
    attached: bool  # False: the PDF was over the limit and the email links to it
    smtp_message_id: str
    parent_task_id: str | None = None
    occurred_at: datetime


# Webhooks -------------------------------------------------------------------------------


class WebhookDraft(Strict):
    """Body of `POST /webhooks`."""

    model_config = example({"url": "https://hooks.example.com/apex", "events": ["project.deleted"]})

    url: WebhookUrl
    events: EventTypes


class RegisterWebhook(Message):
    """Command: store a webhook; the gateway made the id and the secret and showed them once."""

    model_config = example(
        {
            "webhook_id": "5d2a9e71-3c8b-4f6a-b1e4-7a0c2d9f6e18",
            "url": "https://hooks.acme-signs.example/apex",
            "events": ["project.submitted", "document.rendered"],
            "secret": "q3Vt8yZk1fR0bN7wLx2eHc9uPj4sGm6aTd5oKi-WvYE",
        }
    )

    webhook_id: UUID
    url: str
    events: list[WebhookEventType]
    secret: str = Field(min_length=32, max_length=200)


class DeleteWebhook(Message):
    model_config = example({"webhook_id": "5d2a9e71-3c8b-4f6a-b1e4-7a0c2d9f6e18"})

    webhook_id: UUID


class ListWebhooks(Message):
    model_config = example({"schema_version": 1})


class WebhookView(Message):
    """A webhook as its account sees it: never the secret."""

    webhook_id: UUID
    url: str
    events: list[str]
    created_by: str
    created_at: datetime


class WebhookPage(Message):
    items: list[WebhookView]


class WebhookCreated(BaseModel):
    """What `POST /webhooks` answers: the secret appears here and nowhere else."""

    webhook_id: UUID
    secret: str
    url: str
    events: list[str]
    task_id: str
    status_url: str


class WebhookEvent(Message):
    webhook_id: UUID
    account: str
    actor: str
    occurred_at: datetime


class WebhookRegistered(WebhookEvent):
    model_config = example(
        {
            "webhook_id": "5d2a9e71-3c8b-4f6a-b1e4-7a0c2d9f6e18",
            "account": "demo",
            "actor": "dev",
            "occurred_at": "2026-12-01T09:45:00Z",
            "url": "https://hooks.acme-signs.example/apex",
            "events": ["project.submitted", "document.rendered"],
        }
    )

    url: str
    events: list[str]


class WebhookDeleted(WebhookEvent):
    model_config = example(
        {
            "webhook_id": "5d2a9e71-3c8b-4f6a-b1e4-7a0c2d9f6e18",
            "account": "demo",
            "actor": "dev",
            "occurred_at": "2026-12-05T08:00:00Z",
        }
    )


class WebhookPing(WebhookEvent):
    """The `data` of a `webhook.ping` event: who pinged the webhook, and when."""

    model_config = example(
        {
            "webhook_id": "5d2a9e71-3c8b-4f6a-b1e4-7a0c2d9f6e18",
            "account": "demo",
            "actor": "dev",
            "occurred_at": "2026-12-05T08:00:00Z",
        }
    )


def delivery_id(event_id: str, webhook_id: UUID) -> UUID:
    """A delivery is named by its event and webhook: one per pair, whoever names it."""
    return uuid5(NAMESPACE_URL, f"apex:delivery:{event_id}:{webhook_id}")


class DeliverWebhook(Message):
    """Internal job: POST one event to one webhook (its task is the message's correlation id).

    `once`: the single attempt a retry or a ping asked for, never retried on its own, and
    refused while another attempt at the delivery is in flight.
    """

    model_config = example({"delivery_id": "e1c7b3a9-6d2f-4a8e-9b5c-0f3d7a1e4c62"})

    delivery_id: UUID
    once: bool = False


class DeliveryResult(Message):
    """The result of a webhook delivery task, and of a retry's or a ping's attempt (`failed`,
    with the `error` its task ends with)."""

    delivery_id: UUID
    webhook_id: UUID
    event_id: str
    event_type: str
    outcome: Literal["delivered", "skipped", "failed"]
    status: int | None = None
    attempts: int
    error: TaskError | None = None


class DeliveryAttempt(Message):
    """The result of a retry or a ping: the delivery attempted, by a child task of its own
    (`attempt_task_id`), whose outcome the retry's or ping's task ends with."""

    webhook_id: UUID
    delivery_id: UUID
    event_id: str
    attempt_task_id: str


class RetryWebhookDelivery(Message):
    """Command: POST a delivery's event again now, signed afresh, in one attempt."""

    model_config = example(
        {
            "webhook_id": "5d2a9e71-3c8b-4f6a-b1e4-7a0c2d9f6e18",
            "delivery_id": "e1c7b3a9-6d2f-4a8e-9b5c-0f3d7a1e4c62",
        }
    )

    webhook_id: UUID
    delivery_id: UUID


class PingWebhook(Message):
    """Command: deliver a `webhook.ping` event (id `event_id`, made by the gateway) to one
    webhook, in one attempt."""

    model_config = example(
        {
            "webhook_id": "5d2a9e71-3c8b-4f6a-b1e4-7a0c2d9f6e18",
            "event_id": "9a4e2c7b-1d3f-4b8a-a6e5-3c0f7d2b9e41",
        }
    )

    webhook_id: UUID
    event_id: UUID


def _delivery_cursor(cursor: str) -> str:
    _, item_id = decode_cursor(cursor)
    try:
        UUID(item_id)  # a delivery's id
    except ValueError as exc:
        raise ValueError("cursor is not one a page of this list issued") from exc
    return cursor


DeliveryCursor = Annotated[
    str,
    Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$"),  # base64url, unpadded
    AfterValidator(_delivery_cursor),
]


class DeliveryPageQuery(Message):
    """The query string of `GET /webhooks/{id}/deliveries`."""

    status: DeliveryStatus | None = None
    limit: int = Field(default=50, ge=1, le=500)
    cursor: DeliveryCursor | None = None


class ListWebhookDeliveries(DeliveryPageQuery):
    """`webhook.list_deliveries`: a live webhook's deliveries, newest first (keyset)."""

    model_config = example(
        {"webhook_id": "5d2a9e71-3c8b-4f6a-b1e4-7a0c2d9f6e18", "status": "failed", "limit": 20}
    )

    webhook_id: UUID


class WebhookDeliveryView(Message):
    """One event's delivery to one webhook: its state and its latest attempt."""

    delivery_id: UUID
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None  # at the latest (the back-off's jitter only shortens it)
    created_at: datetime
    delivered_at: datetime | None


class WebhookDeliveryPage(Message):
    items: list[WebhookDeliveryView]
    next_cursor: str | None
