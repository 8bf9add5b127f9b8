"""Accepting a command: task record, confirmed publish, 202 (or the outcome with `Prefer: wait`)."""

import logging
import re
from contextlib import suppress

from aiohttp import web
from prometheus_client import Counter, Gauge

from apex_contracts import topology as t
from apex_contracts.base import Message
from apex_contracts.tasks import ErrorCode, TaskRecord, TaskState, TaskView
from apex_runtime.amqp_client import (
    BrokerUnavailable,
    ConfirmTimedOut,
    PublishingStopped,
    QueueFull,
)
from apex_runtime.redis_pool import REDIS_UNAVAILABLE

from .call import Call, new_id
from .ceilings import LIMITED, RETRY_AFTER_S, busy
from .deps import Deps
from .envelope import STATUS_OF, ApiError, broker_unavailable, respond

log = logging.getLogger(__name__)
REFUSED = Counter(
    "apex_gateway_commands_refused_total",
    "Commands answered 503, none of them sent or enqueued, by reason",
    ["reason"],
)
BROKER_BLOCKED = Gauge(
    "apex_gateway_broker_blocked",
    "1 while RabbitMQ blocks this gateway's publishers (a memory or disk alarm), else 0",
)
_WAIT = re.compile(r"(?:^|[,;\s])wait\s*=\s*(\d+)", re.IGNORECASE)


def requested_wait(request: web.Request, ceiling_s: float) -> float | None:
    """Seconds asked for with `Prefer: wait=N` (RFC 7240), capped at the ceiling."""
    match = _WAIT.search(request.headers.get("Prefer", ""))
    return min(float(match.group(1)), ceiling_s) if match else None


async def accept(
    call: Call,
    routing_key: str,
    command: Message,
    *,
    accepted: dict[str, object] | None = None,
    created_location: str | None = None,
) -> web.Response:
    """Record the task, publish the command with confirms, and answer (on a route that
    `admits_in_handler`: the task is recorded in the step that admits the request)."""
    deps, who, scope = call.deps, call.principal, call.idempotency
    task_id = new_id(scope, "task")
    message_id = new_id(scope, "message")
    # Its transitions are announced on this gateway's channel too: a wait here subscribes to none
    record = deps.status.new_task(
        task_id, routing_key, who.account, who.actor, notify=deps.waiter.channel
    )
    await call.gate.admit(record)  # rate limit, idempotency key and task: one Redis step
    await publish(
        call, routing_key, command, task_id=task_id, message_id=message_id, answer=accepted
    )
    status_url = f"/tasks/{task_id}"
    wait_s = requested_wait(call.request, deps.settings.max_wait_s)
    if wait_s:
        task = await outcome_within(call.deps, task_id, wait_s)
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


async def outcome_within(deps: Deps, task_id: str, wait_s: float) -> TaskRecord | None:
    """The task of a command already sent, once final or after `wait_s`; None when it cannot
    be waited for: every wait of this gateway is taken (the preference is declined), or Redis
    fails or is busy. The command is out either way, so the answer is then `202`, never an
    error that would tell the client it was not."""
    if not deps.waits.try_enter():
        LIMITED.labels(deps.waits.name, "202").inc()
        return None
    try:
        return await deps.waiter.wait(task_id, wait_s, admitted_here=True)
    except REDIS_UNAVAILABLE:
        log.warning("could not wait for task %s; answered 202", task_id, exc_info=True)
        return None
    finally:
        deps.waits.leave()


async def publish(
    call: Call,
    routing_key: str,
    command: Message,
    *,
    task_id: str,
    message_id: str,
    answer: dict[str, object] | None = None,
) -> None:
    """Publish with a confirm. Refused or never sent: 503, and the task nobody was told about
    is dropped: beyond this gateway's commands in flight, while RabbitMQ blocks publishers or
    does not confirm (refused at once, nothing sent), when the command's queue is full (a nack:
    nothing enqueued) or RabbitMQ is unreachable. Sent but not confirmed in time: 504 with the
    task, which is kept, because the command may still take effect (`outcome_unknown`); its
    `result` holds `answer`, what a 202 would have shown (a webhook's secret included)."""
    deps, who = call.deps, call.principal
    if not deps.commands.try_enter():
        await _forget(deps, task_id)
        REFUSED.labels("in_flight").inc()
        raise busy(
            deps.commands.name,
            f"this gateway has {deps.commands.limit} commands in flight; nothing was sent, retry",
        )
    try:
        await deps.broker.publish_command(
            routing_key,
            command.model_dump_json().encode(),
            task_id=task_id,
            message_id=message_id,
            headers={t.HEADER_ACCOUNT: who.account, t.HEADER_ACTOR: who.actor},
        )
    except BrokerUnavailable as exc:
        await _forget(deps, task_id)
        REFUSED.labels(exc.reason).inc()
        raise refused(exc) from exc
    except ConfirmTimedOut as exc:
        raise outcome_unknown(task_id, answer) from exc
    finally:
        deps.commands.leave()


async def _forget(deps: Deps, task_id: str) -> None:
    """Drop the task of a command never sent; else it stays PENDING until its TTL, though
    nobody has its id."""
    with suppress(*REDIS_UNAVAILABLE):
        await deps.status.discard(task_id)


def refused(exc: BrokerUnavailable) -> ApiError:
    """503 + Retry-After for a command that was not enqueued and never will be."""
    if isinstance(exc, PublishingStopped | QueueFull):
        return ApiError(
            503,
            f"{exc}; retry shortly",
            type="unavailable",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    return broker_unavailable()


def outcome_unknown(task_id: str, answer: dict[str, object] | None = None) -> ApiError:
    """504 that names the task: the command may yet take effect, so nothing says it did not.
    An Idempotency-Key keeps this answer, so a retry with it never sends a second command."""
    status_url = f"/tasks/{task_id}"
    return ApiError(
        504,
        "RabbitMQ did not confirm the command in time; it may still take effect: follow its task",
        type="outcome_unknown",
        headers={"Location": status_url},
        result={"task_id": task_id, "status_url": status_url, **(answer or {})},
        final=True,
    )


def failed(task: TaskRecord) -> web.Response:
    error = task.error
    code = error.code if error else ErrorCode.CONFLICT
    message = error.message if error else "the task was cancelled"
    return respond(
        task_body(task),
        status=STATUS_OF.get(code, 500),
        errors=[{"field": "", "message": message, "type": code.value}],
    )


PUBLIC_TASK_FIELDS = set(TaskView.model_fields)


def task_body(task: TaskRecord) -> dict[str, object]:
    """A task as clients see it: the fields of the public `TaskView`, nothing the store keeps
    for itself."""
    return task.model_dump(mode="json", include=PUBLIC_TASK_FIELDS)
