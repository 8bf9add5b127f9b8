"""Every name on the wire, in one place: exchanges, queues, routing keys, headers, Redis keys
(docs/architecture.md, "Names on the wire"). The domain modules beside this one hold the
messages; the names they travel under are here."""

from typing import Final

# Exchanges
COMMANDS_EXCHANGE: Final = "apex.commands"  # topic
QUERIES_EXCHANGE: Final = "apex.queries"  # direct
EVENTS_EXCHANGE: Final = "apex.events"  # topic
RETRY_EXCHANGE: Final = "apex.retry"  # topic
DEAD_EXCHANGE: Final = "apex.dead"  # topic
DEAD_LETTER_QUEUE: Final = "apex.dead-letters"

# Command routing keys: <aggregate>.<verb>
PROJECT_CREATE: Final = "project.create"
PROJECT_UPDATE: Final = "project.update"
PROJECT_DELETE: Final = "project.delete"
PROJECT_SAVE_PAYLOAD: Final = "project.save_payload"
PROJECT_SUBMIT: Final = "project.submit"
WEBHOOK_REGISTER: Final = "webhook.register"
WEBHOOK_DELETE: Final = "webhook.delete"
WEBHOOK_RETRY_DELIVERY: Final = "webhook.retry_delivery"  # one attempt now
WEBHOOK_PING: Final = "webhook.ping"  # deliver a `webhook.ping` event now

# Query routing keys
PROJECT_GET: Final = "project.get"
PROJECT_LIST: Final = "project.list"
PROJECT_PAYLOAD_GET: Final = "project.payload.get"
AUDIT_SEARCH: Final = "audit.search"
AUDIT_EXPORT: Final = "audit.export"
AUDIT_VERIFY: Final = "audit.verify"
AUDIT_CHECKPOINTS: Final = "audit.checkpoints"
AUDIT_ACCOUNTS: Final = "audit.accounts"
WEBHOOK_LIST: Final = "webhook.list"
WEBHOOK_LIST_DELIVERIES: Final = "webhook.list_deliveries"
SIGNAGE_CABINETS_DERIVE: Final = "signage.cabinets.derive"
SIGNAGE_POLES_OPTIONS: Final = "signage.poles.options"
SIGNAGE_FOOTING_SOLVE: Final = "signage.footing.solve"
SIGNAGE_CONCRETE_YARDS: Final = "signage.concrete.yards"
SIGNAGE_SINGLE_POLE_DESIGN: Final = "signage.single_pole.design"
DOCUMENT_GET: Final = "document.get"
DOCUMENT_LIST: Final = "document.list"
DOCUMENT_GET_CONTENT: Final = "document.get_content"

# Event routing keys: <aggregate>.<past tense>
PROJECT_CREATED: Final = "project.created"
PROJECT_UPDATED: Final = "project.updated"
PROJECT_DELETED: Final = "project.deleted"
PROJECT_PAYLOAD_SAVED: Final = "project.payload_saved"
PROJECT_SUBMITTED: Final = "project.submitted"
DOCUMENT_RENDERED: Final = "document.rendered"
NOTIFICATION_EMAIL_SENT: Final = "notification.email_sent"
WEBHOOK_REGISTERED: Final = "webhook.registered"
WEBHOOK_DELETED: Final = "webhook.deleted"
# The gateway's refusals at its door, for the audit log (apex_contracts.security)
AUTH_FAILED: Final = "security.auth_failed"
RATE_LIMITED: Final = "security.rate_limited"
# What operators did through /admin, for the audit log (apex_contracts.operators)
DEAD_LETTER_REPLAYED: Final = "operator.dead_letter_replayed"
# The event type of a ping: POSTed to the one webhook pinged, never published on apex.events
PING_EVENT_TYPE: Final = "webhook.ping"

# The processes of APEX, as they name themselves (heartbeats, logs, RabbitMQ connections)
SERVICES: Final = (
    "gateway",
    "project-service",
    "signage-service",
    "document-service",
    "notification-service",
    "audit-service",
)

# Queues: <service>.<purpose>
PROJECT_COMMANDS_QUEUE: Final = "project-service.commands"
AUDIT_EVENTS_QUEUE: Final = "audit-service.events"
AUDIT_COMMANDS_QUEUE: Final = "audit-service.commands"
DOCUMENT_EVENTS_QUEUE: Final = "document-service.events"
NOTIFICATION_EVENTS_QUEUE: Final = "notification-service.events"
NOTIFICATION_COMMANDS_QUEUE: Final = "notification-service.commands"
NOTIFICATION_WEBHOOKS_QUEUE: Final = "notification-service.webhooks"  # events to fan out
NOTIFICATION_DELIVERIES_QUEUE: Final = "notification-service.webhook-deliveries"  # one POST each


def query_queue_name(service: str, routing_key: str) -> str:
    """The queue a service consumes one query from: `<service>.query.<routing key>`."""
    return f"{service}.query.{routing_key}"


# AMQP headers
HEADER_ACCOUNT: Final = "x-apex-account"
HEADER_ACTOR: Final = "x-apex-actor"
HEADER_CAUSATION: Final = "x-apex-causation-id"
HEADER_ERROR: Final = "x-apex-error"
HEADER_KIND: Final = "x-apex-kind"
HEADER_ATTEMPT: Final = "x-apex-attempt"  # 1 on the first delivery, +1 per scheduled retry
HEADER_QUEUE: Final = "x-apex-queue"  # on a dead letter: the queue to replay it into
HEADER_ROUTING_KEY: Final = "x-apex-routing-key"  # the original key, on a retried or parked copy
# The account header of audit entries about callers nobody could authenticate: an operator
# reads them with a token for it (no tenant can be named from an unverified credential).
SECURITY_ACCOUNT: Final = "_security"

# Redis keys
REDIS_TASK_PREFIX: Final = "apex:task:"
REDIS_RATE_LIMIT_PREFIX: Final = "apex:rl:"  # + <account>:<actor>: the GCRA's arrival time
REDIS_IDEMPOTENCY_PREFIX: Final = "apex:idem:"  # + <account>:<actor>:<Idempotency-Key>
# + <query routing key>:<sha256 of request and version stamp>: a cached engineering answer
REDIS_CACHE_PREFIX: Final = "apex:cache:"


def cache_version_key(owner: str) -> str:
    """Where the service owning the `<owner>.*` queries writes its version stamp."""
    return f"{REDIS_CACHE_PREFIX}{owner}:version"


# Each task's changes are published (its id as the message) on the channel of this prefix and
# its id, and a child's transitions on its parent's channel too: a gateway subscribes only to
# the tasks someone is waiting on.
REDIS_TASK_CHANGES_PREFIX: Final = "apex:task-changes:"
# An account's tasks, newest last: a sorted set of task ids scored by creation time in
# microseconds, which `GET /tasks` pages through (`apex:task:<id>:history` holds a task's
# transitions, `apex:task:<id>:children` its children)
REDIS_ACCOUNT_TASKS_PREFIX: Final = "apex:account-tasks:"
# Each gateway process listens on one channel of this prefix and a random id, for its whole
# life; a task it admitted names that channel in its record (field `notify`), and each of the
# task's transitions is published there too, as "<task id> <new state>".
REDIS_GATEWAY_PREFIX: Final = "apex:gateway:"
# Every running process (field "<service>/<instance>") writes its readiness here every few
# seconds, as JSON; `GET /admin/status` and `apex status` read it
REDIS_HEARTBEATS: Final = "apex:heartbeats"
