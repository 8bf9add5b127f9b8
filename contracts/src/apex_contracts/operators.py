"""`operator.*` events: what an operator did through `/admin`, for the audit log."""

from datetime import datetime

from .base import Message, example


class DeadLetterReplayed(Message):
    """A dead letter was sent back to its queue as a first attempt (`POST /admin/dead-letters/…
    /replay`), confirmed by RabbitMQ. What the replayed message then does is audited as usual;
    this says who sent it back."""

    model_config = example(
        {
            "account": "demo",
            "actor": "ops-lead",
            "dead_letter_id": "0f6f5c1e-3b5d-4f2a-9a41-5a0f2b8f3c11",
            "queue": "project-service.commands",
            "routing_key": "project.create",
            "task_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "replayed_at": "2026-12-01T10:02:11Z",
        }
    )

    account: str  # the account whose dead letter it was (the operator's own)
    actor: str  # the operator
    dead_letter_id: str
    queue: str  # where it was sent
    routing_key: str  # the replayed message's own
    task_id: str | None
    replayed_at: datetime
