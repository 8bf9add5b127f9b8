"""Accepting a command: task record, confirmed publish, 202 (or the outcome with `Prefer: wait`)."""

import re
from contextlib import suppress

from aiohttp import web
from redis.exceptions import RedisError

from apex_contracts import topology as t
from apex_contracts.base import Message
from apex_contracts.tasks import ErrorCode, TaskState, TaskView
from apex_runtime.amqp_client import BrokerUnavailable

from .deps import deps_of
from .envelope import STATUS_OF, broker_unavailable, respond
from .guard import gate_of, idempotency_of, new_id
from .principal import principal_of

_WAIT = re.compile(r"(?:^|[,;\s])wait\s*=\s*(\d+)", re.IGNORECASE)


def requested_wait(request: web.Request, ceiling_s: float) -> float | None:
    """Seconds asked for with `Prefer: wait=N` (RFC 7240), capped at the ceiling."""
    match = _WAIT.search(request.headers.get("Prefer", ""))
    return min(float(match.group(1)), ceiling_s) if match else None


async def accept(
    request: web.Request,
    routing_key: str,
    command: Message,
    *,
    accepted: dict[str, object] | None = None,
    created_location: str | None = None,
) -> web.Response:
    """Record the task, publish the command with confirms, and answer."""
    deps = deps_of(request)
    who = principal_of(request)
    scope = idempotency_of(request)
    task_id = new_id(scope, "task")
    message_id = new_id(scope, "message")
    # Its transitions are announced on this gateway's channel too: a wait here subscribes to none
    record = deps.status.new_task(
        task_id, routing_key, who.account, who.actor, notify=deps.waiter.channel
    )
    await gate_of(request).admit(record)  # rate limit, idempotency key and task: one Redis step
    await publish(request, routing_key, command, task_id=task_id, message_id=message_id)
    status_url = f"/tasks/{task_id}"
    wait_s = requested_wait(request, deps.settings.max_wait_s)
    if wait_s:
        task = await deps.waiter.wait(task_id, wait_s, admitted_here=True)
        if task is not None and task.state is TaskState.SUCCESS:
            status, location = (201, created_location) if created_location else (200, None)
            extra = {"Preference-Applied": f"wait={wait_s:g}"}
            if location:
                extra["Location"] = location
            return respond(task_body(task), status=status, headers=extra)
        if task is not None and task.state in (TaskState.FAILURE, TaskState.REVOKED):
            return failed(task)
    result = {"task_id": task_id, "status_url": status_url, **(accepted or {})}
    return respond(result, status=202, headers={"Location": status_url})


async def publish(
    request: web.Request, routing_key: str, command: Message, *, task_id: str, message_id: str
) -> None:
    """Publish with a confirm, or answer 503 and drop the task nobody was told about."""
    deps = deps_of(request)
    who = principal_of(request)
    try:
        await deps.broker.publish_command(
            routing_key,
            command.model_dump_json().encode(),
            task_id=task_id,
            message_id=message_id,
            headers={t.HEADER_ACCOUNT: who.account, t.HEADER_ACTOR: who.actor},
        )
    except BrokerUnavailable as exc:
        with suppress(RedisError):  # else it stays PENDING until its TTL; nobody has its id
            await deps.status.discard(task_id)
        raise broker_unavailable() from exc


def failed(task: TaskView) -> web.Response:
    error = task.error
    code = error.code if error else ErrorCode.CONFLICT
    message = error.message if error else "the task was cancelled"
    return respond(
        task_body(task),
        status=STATUS_OF.get(code, 500),
        errors=[{"field": "", "message": message, "type": code.value}],
    )


def task_body(task: TaskView) -> dict[str, object]:
    """A task as clients see it (the account stays internal)."""
    return task.model_dump(mode="json", exclude={"account", "owner"})
