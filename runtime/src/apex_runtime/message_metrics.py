"""What every service measures of the messages it handles and the tasks it moves.

Each delivery ends in one outcome: `success`, `domain_failure` (a refusal that changed
nothing: the task fails, the message is acked), `retry` (parked in a delay queue, or
requeued), `dead_lettered` (copied to `apex.dead`), or `cancelled` (its task was revoked
before it ran); a query answered with an internal error is `error`. The code that decides
names the outcome (`note`); a FastStream handler's outcome is counted once, with its
duration, by the broker's middleware (`broker.MeasureHandling`), and a batched consumer
counts its deliveries itself (`meter`). Label children are made once per queue and routing key and
kept, so the hot path is a dictionary lookup and two increments.
"""

from contextvars import ContextVar
from typing import Any, Final

from prometheus_client import Counter, Histogram

from apex_contracts.queries import QueryReply
from apex_contracts.tasks import ErrorCode, TaskState

SUCCESS: Final = "success"
DOMAIN_FAILURE: Final = "domain_failure"
RETRY: Final = "retry"
DEAD_LETTERED: Final = "dead_lettered"
CANCELLED: Final = "cancelled"
ERROR: Final = "error"
OUTCOMES: Final = (SUCCESS, DOMAIN_FAILURE, RETRY, DEAD_LETTERED, CANCELLED, ERROR)

HANDLED = Counter(
    "apex_messages_handled_total",
    "Deliveries handled, by queue, routing key and outcome",
    ["queue", "routing_key", "outcome"],
)
HANDLING = Histogram(
    "apex_messages_handling_seconds",
    "From a delivery's handling start to its outcome (a batch's messages share the batch's)",
    ["queue", "routing_key"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BATCH_SIZE = Histogram(
    "apex_batch_size_messages",
    "Messages per batch a batched consumer handled",
    ["queue"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
)
TRANSITIONS = Counter(
    "apex_tasks_transitions_total",
    "Task transitions a service applied, by task kind and the state moved to",
    ["kind", "state"],
)


class Meter:
    """The label children of one queue and routing key, made once."""

    __slots__ = ("duration", "outcomes")

    def __init__(self, queue: str, routing_key: str) -> None:
        self.duration = HANDLING.labels(queue, routing_key)
        self.outcomes = {o: HANDLED.labels(queue, routing_key, o) for o in OUTCOMES}

    def record(self, outcome: str, seconds: float, count: int = 1) -> None:
        """`count` deliveries ended in `outcome`, each after `seconds`."""
        self.outcomes[outcome].inc(count)
        for _ in range(count):
            self.duration.observe(seconds)

    def count(self, outcome: str) -> None:
        """A delivery that ended in `outcome` without being handled (no duration)."""
        self.outcomes[outcome].inc()


_meters: dict[tuple[str, str], Meter] = {}


def meter(queue: str, routing_key: str) -> Meter:
    """The meter of `queue` and `routing_key` (kept for the process's life)."""
    found = _meters.get((queue, routing_key))
    if found is None:
        found = _meters[(queue, routing_key)] = Meter(queue, routing_key)
    return found


_transitions: dict[tuple[str, TaskState], Any] = {}


def count_transition(kind: str, state: TaskState) -> None:
    """One step of a task of `kind` to `state` (the task store counts each, once)."""
    child = _transitions.get((kind, state))
    if child is None:
        child = _transitions[(kind, state)] = TRANSITIONS.labels(kind, state.value)
    child.inc()


class Handling:
    """The outcome of the delivery being handled, once the code that decides names it."""

    __slots__ = ("outcome",)

    def __init__(self) -> None:
        self.outcome: str | None = None


HANDLING_NOW: ContextVar[Handling | None] = ContextVar("apex_handling", default=None)


def note(outcome: str) -> None:
    """Name the outcome of the delivery being handled (no-op outside `MeasureHandling`)."""
    handling = HANDLING_NOW.get()
    if handling is not None:
        handling.outcome = outcome


def outcome_of_reply(reply: object) -> str | None:
    """A query's outcome from its answer: refused for a reason, or failed inside."""
    if not isinstance(reply, QueryReply):
        return None
    if reply.ok:
        return SUCCESS
    internal = reply.error is not None and reply.error.code is ErrorCode.INTERNAL
    return ERROR if internal else DOMAIN_FAILURE
