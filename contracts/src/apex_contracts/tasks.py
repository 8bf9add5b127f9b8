"""Task states and the transitions between them (docs/architecture.md, "Task states")."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .base import Rfc3339
from .pagination import Cursor


class TaskState(StrEnum):
    PENDING = "PENDING"
    STARTED = "STARTED"
    RETRY = "RETRY"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    REVOKED = "REVOKED"


FINAL_STATES: frozenset[TaskState] = frozenset(
    {TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED}
)

# Allowed moves: target state -> states it may be reached from. Final states have no way out;
# STARTED -> STARTED is a redelivery after a worker died mid-message.
ALLOWED_FROM: dict[TaskState, frozenset[TaskState]] = {
    TaskState.STARTED: frozenset({TaskState.PENDING, TaskState.STARTED, TaskState.RETRY}),
    TaskState.RETRY: frozenset({TaskState.STARTED}),
    TaskState.SUCCESS: frozenset({TaskState.PENDING, TaskState.STARTED}),
    TaskState.FAILURE: frozenset({TaskState.PENDING, TaskState.STARTED, TaskState.RETRY}),
    TaskState.REVOKED: frozenset({TaskState.PENDING, TaskState.STARTED, TaskState.RETRY}),
}


def can_move(current: TaskState, target: TaskState) -> bool:
    """Whether a task in `current` may move to `target`."""
    return current in ALLOWED_FROM.get(target, frozenset())


class ErrorCode(StrEnum):
    """Codes a client can act on; the gateway maps each to an HTTP status."""

    NOT_FOUND = "not_found"
    VERSION_CONFLICT = "version_conflict"
    CONFLICT = "conflict"
    INVALID = "invalid"
    FORBIDDEN = "forbidden"
    UNAVAILABLE = "unavailable"
    TIMEOUT = "timeout"
    INTERNAL = "internal"


class TaskError(BaseModel):
    code: ErrorCode
    message: str


class ChildTask(BaseModel):
    """A child as its parent's `GET /tasks/{id}` lists it."""

    task_id: str
    kind: str
    state: TaskState
    progress: float | None = None
    error: TaskError | None = None


class TaskSummary(BaseModel):
    """A task as `GET /tasks` lists it: everything `GET /tasks/{id}` shows but its result and
    children."""

    task_id: str
    kind: str
    state: TaskState
    error: TaskError | None = None
    attempts: int = 0
    progress: float | None = None  # 0 to 100
    next_attempt_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    parent_id: str | None = None
    # The W3C trace of the request that created the task (a child shares its parent's): what
    # an operator opens in the tracing UI to follow it across services (`apex trace <task_id>`).
    trace_id: str | None = None


class TaskView(TaskSummary):
    """A task as `GET /tasks/{id}` shows it: the public shape, which the OpenAPI document
    describes; `TaskRecord` adds what the store keeps for itself."""

    result: Any = None
    children: list[ChildTask] = []


class TaskSearch(BaseModel):
    """The query of `GET /tasks`: any of the states (none: all), one kind, created at or after
    `since`; a page of `limit`, after the page `cursor` names."""

    model_config = ConfigDict(extra="forbid")

    state: list[TaskState] = []
    kind: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    since: Rfc3339 | None = None
    limit: int = Field(default=50, ge=1, le=500)
    cursor: Cursor | None = None

    def matches(self, task: TaskSummary) -> bool:
        return (not self.state or task.state in self.state) and (
            self.kind is None or task.kind == self.kind
        )


class TaskPage(BaseModel):
    """`GET /tasks`: the account's tasks, newest first."""

    items: list[TaskSummary]
    next_cursor: str | None


class HistoryEntry(BaseModel):
    """One step of a task: the state it entered, when, at which attempt, and (on `RETRY` and
    `FAILURE`) why."""

    state: TaskState
    at: datetime
    attempt: int
    error: TaskError | None = None


class TaskHistory(BaseModel):
    """`GET /tasks/{id}/history`: oldest first, the latest 50 entries."""

    items: list[HistoryEntry]


class TaskRecord(TaskView):
    """A task as the task store keeps it: the view plus whose it is (never shown)."""

    account: str
    owner: str
