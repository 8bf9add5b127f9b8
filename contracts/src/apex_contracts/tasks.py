"""Task states and the transitions between them (DESIGN.md, "Task states")."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel


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


class TaskView(BaseModel):
    """A task as `GET /tasks/{id}` shows it: the public shape, which the OpenAPI document
    describes; `TaskRecord` adds what the store keeps for itself."""

    task_id: str
    kind: str
    state: TaskState
    result: Any = None
    error: TaskError | None = None
    attempts: int = 0
    progress: float | None = None  # 0 to 100
    next_attempt_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    parent_id: str | None = None
    children: list[ChildTask] = []
    # The W3C trace of the request that created the task (a child shares its parent's): what
    # an operator opens in the tracing UI to follow it across services (`apex trace <task_id>`).
    trace_id: str | None = None


class TaskRecord(TaskView):
    """A task as the task store keeps it: the view plus whose it is (never shown)."""

    account: str
    owner: str
