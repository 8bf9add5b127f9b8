"""`/admin`: what operators need (role `admin`): the system's status, and the account's dead
letters, to read and to replay (`apex_runtime.dead_letter_queue`)."""

import asyncio
import logging
from uuid import uuid4

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from aiohttp import web
from redis.exceptions import RedisError

from apex_contracts import operations as o
from apex_contracts import operators as ops
from apex_contracts import topology as t
from apex_runtime.amqp_client import BROKER_ERRORS, BrokerUnavailable
from apex_runtime.dead_letter_queue import (
    Decide,
    described,
    each_dead_letter,
    id_of,
    replay,
    replay_record,
    target_queue,
)
from apex_runtime.heartbeat import statuses
from apex_runtime.system_status import consumed_queues, queue_statuses

from ..call import Api, Call
from ..envelope import ApiError, respond, task_store_unavailable
from ..openapi import Operation
from ..validation import body_as, validated

log = logging.getLogger(__name__)
api = Api()


BROKER_FAILED = (*BROKER_ERRORS, OSError)  # unreachable, refused, a channel gone, a timeout
ONE_PASS = asyncio.Lock()  # this process's passes over the dead letters go one at a time


@api.operation(
    Operation("get", "/admin/status", "Every service's readiness (from its instances' "
              "heartbeats), each queue's depth and consumers, dead letters, broker flow",
              "admin", o.SystemStatus, errors=(503,)),
)  # fmt: skip
async def system_status(call: Call) -> web.Response:
    deps = call.deps
    try:
        services = await statuses(deps.redis, t.SERVICES)
    except RedisError as exc:
        raise task_store_unavailable() from exc
    try:
        queues = await queue_statuses(deps.settings.amqp_url, consumed_queues())
    except BROKER_FAILED as exc:
        raise ApiError(503, f"RabbitMQ is unreachable: {exc}", type="unavailable") from exc
    stopped = deps.broker.stopped()
    dead = next(q.messages for q in queues if q.name == t.DEAD_LETTER_QUEUE)
    answer = o.SystemStatus(
        services=services,
        queues=queues,
        dead_letters=dead,
        broker=o.BrokerStatus(
            blocked=stopped is not None, reason=str(stopped) if stopped is not None else None
        ),
    )
    return respond(answer.model_dump(mode="json"))


def _of_account(message: AbstractIncomingMessage, account: str) -> bool:
    return (message.headers or {}).get(t.HEADER_ACCOUNT) == account


async def _pass(call: Call, decide: Decide, replayed: list[o.Replayed] | None = None) -> list[str]:
    """One pass over the dead letters (`each_dead_letter`), one at a time in this process.

    RabbitMQ failing mid-pass is a 503 only while nothing was replayed: a copy it confirmed is
    on its way whatever happens next, so the answer says so, and that its dead letter may stay
    (not acknowledged, it goes back to the queue and is listed again)."""
    try:
        async with ONE_PASS:
            await each_dead_letter(call.deps.settings.amqp_url, decide)
    except BROKER_FAILED as exc:
        if not replayed:
            raise ApiError(503, f"RabbitMQ is unreachable: {exc}", type="unavailable") from exc
        return [
            f"RabbitMQ failed after {len(replayed)} replayed copies were confirmed ({exc}): they"
            " will be handled, and their dead letters may be listed again"
        ]
    return []


async def _audit(call: Call, replays: list[ops.DeadLetterReplayed]) -> list[str]:
    """One `operator.dead_letter_replayed` event per replay, confirmed, for the audit log.

    Published once the pass is over: a replay is confirmed (it will run) before its event
    is sent, so the answer says so when an event could not be, rather than undo the replay."""
    unsent = []
    for event in replays:
        try:
            await call.deps.broker.publish_event(
                t.DEAD_LETTER_REPLAYED,
                event.model_dump_json().encode(),
                message_id=str(uuid4()),
                headers={t.HEADER_ACCOUNT: event.account, t.HEADER_ACTOR: event.actor},
            )
        except BrokerUnavailable as exc:
            log.warning("replay of %s not audit-logged: %s", event.dead_letter_id, exc)
            unsent.append(event.dead_letter_id)
    if not unsent:
        return []
    return [f"replayed, but not recorded in the audit log (RabbitMQ refused): {', '.join(unsent)}"]


@api.operation(
    Operation("get", "/admin/dead-letters", "The account's dead letters, with headers and body",
              "admin", o.DeadLetterPage, query=o.DeadLetterQuery, errors=(422, 503)),
)  # fmt: skip
async def dead_letters(call: Call) -> web.Response:
    who = call.principal
    query = validated(o.DeadLetterQuery, dict(call.request.query))
    items: list[o.DeadLetter] = []
    total = 0

    async def look(message: AbstractIncomingMessage, _: AbstractChannel) -> bool:
        nonlocal total
        if _of_account(message, who.account) and query.matches(letter := described(message)):
            total += 1
            if len(items) < query.limit:
                items.append(letter)
        return False

    await _pass(call, look)
    return respond(o.DeadLetterPage(items=items, total=total).model_dump(mode="json"))


@api.operation(
    Operation("post", "/admin/dead-letters/{dead_letter_id}/replay", "Send one dead letter "
              "back to its queue as a first attempt", "admin", o.ReplayResult,
              errors=(404, 409, 503)),
)  # fmt: skip
async def replay_one(call: Call) -> web.Response:
    who = call.principal
    wanted = call.request.match_info["dead_letter_id"]
    done: list[o.Replayed] = []
    events: list[ops.DeadLetterReplayed] = []
    unknown_origin = False

    async def chosen(message: AbstractIncomingMessage, channel: AbstractChannel) -> bool:
        nonlocal unknown_origin
        if done or id_of(message) != wanted or not _of_account(message, who.account):
            return False
        replayed = await replay(message, channel)
        unknown_origin = replayed is None
        if replayed is not None:
            done.append(replayed)
            events.append(replay_record(message, replayed.queue, who.actor))
        return replayed is not None

    notes = await _pass(call, chosen, done)
    notes += await _audit(call, events)
    if unknown_origin:
        raise ApiError(409, f"dead letter {wanted} names no queue to go back to", type="conflict")
    if not done:
        raise ApiError(404, f"dead letter {wanted} not found", type="not_found")
    return respond(o.ReplayResult(replayed=done).model_dump(mode="json"), assumptions=notes)


@api.operation(
    Operation("post", "/admin/dead-letters/replay", "Send every dead letter of the account "
              "(`{}`), or of one queue (`{\"queue\": …}`), back to its queue", "admin",
              o.ReplayResult,
              body=o.ReplayAll, errors=(400, 415, 422, 503)),
)  # fmt: skip
async def replay_all(call: Call) -> web.Response:
    who = call.principal
    only = await body_as(call.request, o.ReplayAll)  # `{}`: every one of the account
    done: list[o.Replayed] = []
    events: list[ops.DeadLetterReplayed] = []

    async def chosen(message: AbstractIncomingMessage, channel: AbstractChannel) -> bool:
        if not _of_account(message, who.account):
            return False
        if only.queue is not None and target_queue(message) != only.queue:
            return False
        replayed = await replay(message, channel)
        if replayed is not None:
            done.append(replayed)
            events.append(replay_record(message, replayed.queue, who.actor))
        return replayed is not None

    notes = await _pass(call, chosen, done)
    notes += await _audit(call, events)
    return respond(o.ReplayResult(replayed=done).model_dump(mode="json"), assumptions=notes)
