"""Waiting for a task's outcome with the gateway's long poll (`GET /tasks/{task_id}?wait=N`)."""

import time
from collections.abc import Mapping
from uuid import UUID

from .connection import ApexError
from .generated.api.default import get_tasks_task_id
from .generated.client import AuthenticatedClient, Client
from .generated.models import EnvelopeTaskView, TaskState, TaskView

FINAL_STATES = frozenset({TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED})
LONG_POLL_MAX_S = 30.0  # the gateway's longest `wait`
BUSY_STATUSES = (429, 503)  # waited out (their Retry-After) within the time given


class TaskTimeoutError(TimeoutError):
    """The task was not final when the wait's time ran out; `task` is how it was last seen."""

    def __init__(self, task: TaskView) -> None:
        super().__init__(f"task {task.task_id} still {task.state} when the wait ended")
        self.task = task


def wait_for_task(
    client: AuthenticatedClient | Client, task_id: str | UUID, *, timeout_s: float = 60.0
) -> TaskView:
    """The task once it is final (`SUCCESS`, `FAILURE` or `REVOKED`): each request asks the
    gateway to hold it until the task's next change, so a change is seen as it happens. A
    `FAILURE` is returned, not raised (its `error` says why); an error answer raises `ApexError`,
    time running out `TaskTimeoutError`."""
    deadline = time.monotonic() + timeout_s
    last: TaskView | None = None
    while True:
        remaining = deadline - time.monotonic()
        wait = 0.0 if last is None else max(0.0, min(LONG_POLL_MAX_S, remaining))
        response = get_tasks_task_id.sync_detailed(UUID(str(task_id)), client=client, wait=wait)
        parsed = response.parsed
        if isinstance(parsed, EnvelopeTaskView) and parsed.result is not None:
            last = parsed.result
            if last.state in FINAL_STATES:
                return last
        elif response.status_code in BUSY_STATUSES:
            time.sleep(min(_retry_after_s(response.headers), max(0.0, remaining)))
        else:
            raise ApexError.from_response(response)
        if time.monotonic() >= deadline:
            raise TaskTimeoutError(last) if last else ApexError.from_response(response)


def _retry_after_s(headers: Mapping[str, str]) -> float:
    value = headers.get("Retry-After", "1")  # httpx's headers: any case
    try:
        return max(0.0, float(value))
    except ValueError:  # an HTTP date: the gateway sends seconds, so this is not it
        return 1.0
