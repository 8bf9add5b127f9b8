"""`/tasks`: search the account's tasks; `/tasks/{id}`: read (optionally long-polling), stream as
SSE, read the history of, or cancel a task of the account."""

import logging

import orjson
from aiohttp import web
from redis.exceptions import RedisError

from apex_contracts.pagination import decode_cursor, encode_cursor
from apex_contracts.tasks import (
    FINAL_STATES,
    TaskHistory,
    TaskPage,
    TaskRecord,
    TaskSearch,
    TaskState,
    TaskSummary,
    TaskView,
)
from apex_runtime.redis_pool import REDIS_UNAVAILABLE

from ..call import Api, Call
from ..commands import task_body
from ..envelope import ApiError, respond, task_store_unavailable
from ..openapi import IDEMPOTENCY, Operation, Param
from ..validation import validated

log = logging.getLogger(__name__)
api = Api()
WAIT_MAX_S = 30.0
WAIT_PARAM = Param(
    "wait",
    False,
    "seconds (at most 30) to wait for the task's next change",
    {"type": "number", "minimum": 0, "maximum": WAIT_MAX_S},
)
SSE_LIMIT_S = 300.0  # a stream ends after this; the client reconnects
HEARTBEAT_S = 15.0
TASK_EVENT = "task"  # the SSE event name of every change

_STATES = [state.value for state in TaskState]
SEARCH_PARAMS = (
    Param("state", False, "any of these states (repeat it: `state=FAILURE&state=REVOKED`)",
          {"type": "array", "items": {"type": "string", "enum": _STATES}}),
    Param("kind", False, "the task's kind, e.g. `project.create` or `render_document`",
          {"type": "string", "minLength": 1, "maxLength": 200}),
    Param("since", False, "created at or after this RFC 3339 time (with its offset)",
          {"type": "string", "format": "date-time"}),
    Param("limit", False, "at most this many (1 to 500, default 50)",
          {"type": "integer", "minimum": 1, "maximum": 500}),
    Param("cursor", False, "the `next_cursor` of the page before",
          {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "^[A-Za-z0-9_-]+$"}),
)  # fmt: skip


async def _task_of_account(call: Call, *, admitted_here: bool = False) -> TaskRecord:
    """The task, if it belongs to the caller's account; with `admitted_here`, read in the same
    Redis step that counts the request (on a route that `admits_in_handler`)."""
    task_id = call.request.match_info["task_id"]
    status = call.deps.status
    try:
        if admitted_here:
            task = await call.gate.read(status, task_id)
        else:
            task = await status.get(task_id)
    except RedisError as exc:
        raise task_store_unavailable() from exc
    if task is None or task.account != call.principal.account:
        raise ApiError(404, f"task {task_id} not found", type="not_found")
    return task


def _wait_seconds(request: web.Request) -> float | None:
    raw = request.query.get("wait")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError as exc:
        raise ApiError(
            422, "wait must be a number of seconds", type="invalid", field="wait"
        ) from exc
    if not 0 <= seconds <= WAIT_MAX_S:
        raise ApiError(422, "wait must be between 0 and 30 seconds", type="invalid", field="wait")
    return seconds


@api.operation(
    Operation("get", "/tasks", "Search the account's tasks, newest first (a page may be short: "
              "follow next_cursor until it is null)", "viewer", TaskPage, errors=(422, 503),
              query_params=SEARCH_PARAMS),
)  # fmt: skip
async def search_tasks(call: Call) -> web.Response:
    given = {name: call.request.query.getall(name) for name in call.request.query}
    query = validated(
        TaskSearch,
        {name: values if name == "state" else values[-1] for name, values in given.items()},
    )
    try:
        after = decode_cursor(query.cursor) if query.cursor else None
    except ValueError as exc:
        raise ApiError(422, str(exc), type="invalid", field="cursor") from exc
    try:
        tasks, last = await call.deps.status.search(call.principal.account, query, after)
    except RedisError as exc:
        raise task_store_unavailable() from exc
    page = TaskPage(
        items=[TaskSummary.model_validate(task, from_attributes=True) for task in tasks],
        next_cursor=encode_cursor(*last) if last else None,
    )
    return respond(page.model_dump(mode="json"))


@api.operation(
    Operation("get", "/tasks/{task_id}/history", "How the task got where it is: its states, "
              "oldest first (the latest 50)", "viewer", TaskHistory, errors=(404, 503)),
)  # fmt: skip
async def task_history(call: Call) -> web.Response:
    task = await _task_of_account(call)
    try:
        items = await call.deps.status.history(task.task_id)
    except RedisError as exc:
        raise task_store_unavailable() from exc
    return respond(TaskHistory(items=items).model_dump(mode="json"))


@api.operation(
    Operation("get", "/tasks/{task_id}", "Read a task (long-poll with ?wait=N)", "viewer",
              TaskView, errors=(404, 422, 503), query_params=(WAIT_PARAM,)),
    admits_in_handler=True,  # a polling client's every request: counted and read in one step
)  # fmt: skip
async def get_task(call: Call) -> web.Response:
    wait_s = _wait_seconds(call.request)
    if not wait_s:
        return respond(task_body(await _task_of_account(call, admitted_here=True)))
    with call.deps.waits.slot():  # 503 before the read when every wait is taken
        task = await _task_of_account(call, admitted_here=True)
        try:
            task = await call.deps.waiter.next_change(task.task_id, wait_s, task) or task
        except RedisError as exc:
            raise task_store_unavailable() from exc
    return respond(task_body(task))


@api.operation(
    Operation("get", "/tasks/{task_id}/events", "Stream the task's changes (Server-Sent Events)",
              "viewer", TaskView, errors=(404, 503), media_type="text/event-stream",
              sse_event=TASK_EVENT),
)  # fmt: skip
async def task_events(call: Call) -> web.StreamResponse:
    with call.deps.streams.slot():  # 503 before anything when every stream is taken
        task: TaskRecord | None = await _task_of_account(call)
        stream = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await stream.prepare(call.request)
        try:
            await _stream_changes(call, stream, task)
        except REDIS_UNAVAILABLE:  # the status line is sent: end; the client reconnects
            log.warning("task stream ended early: the task store failed", exc_info=True)
        await stream.write_eof()
        return stream


async def _stream_changes(call: Call, stream: web.StreamResponse, task: TaskRecord | None) -> None:
    """One event per change until the task is final or the stream's time is up."""
    waiter, request = call.deps.waiter, call.request
    deadline = request.loop.time() + SSE_LIMIT_S
    sent: TaskRecord | None = None
    while task is not None and request.loop.time() < deadline:
        if task != sent:
            data = orjson.dumps(task_body(task), default=str).decode()
            await stream.write(
                f"event: {TASK_EVENT}\nid: {task.updated_at.isoformat()}\ndata: {data}\n\n".encode()
            )
            sent = task
            if task.state in FINAL_STATES:
                return
        else:
            await stream.write(b": heartbeat\n\n")
        task = await waiter.next_change(task.task_id, HEARTBEAT_S, sent)


@api.operation(
    Operation("delete", "/tasks/{task_id}", "Cancel a task (and its unfinished children)",
              "engineer", TaskView, errors=(404, 409, 503), headers=(IDEMPOTENCY,)),
)  # fmt: skip
async def cancel_task(call: Call) -> web.Response:
    task = await _task_of_account(call)
    status = call.deps.status
    moved = await status.revoke(task.task_id)
    if not moved.applied:
        raise ApiError(409, f"task {task.task_id} already ended {moved.previous}", type="conflict")
    try:
        current = await status.get(task.task_id)
    except REDIS_UNAVAILABLE:  # it is revoked: say so from the read before
        current = task.model_copy(update={"state": TaskState.REVOKED})
    return respond(task_body(current) if current else None)
