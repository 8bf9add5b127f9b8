"""`/webhooks`: an account's webhook registrations (stored and delivered by notification-service).

`POST /webhooks` is a command like every other change (task, confirmed publish), but the
gateway makes the webhook's secret itself and answers with it, once: the secret travels to
notification-service in the command and is never written to the task store, an event or the
audit log. The request waits for the outcome (up to `Prefer: wait=N`, else the query timeout),
so a refused URL is a 422 here; if notification-service is slow the answer is a 202 that still
carries the id and the secret, and the task tells how it ended.

`/webhooks/{id}/deliveries` is the deliveries view: the list is a query; a retry and a ping are
commands whose task ends as the one attempt they make (with `Prefer: wait`, its outcome). A path id
that is not a UUID is a 422 naming it; a webhook that is not the account's, or deleted, and a
delivery of another webhook are 404, from notification-service.
"""

import secrets
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel
from redis.exceptions import RedisError

from apex_contracts import notifications as n
from apex_contracts import topology as t
from apex_contracts.tasks import TaskState

from ..call import Api, Call, new_id, new_uuid
from ..commands import accept, failed, outcome_within, publish, requested_wait
from ..envelope import ApiError, respond, task_store_unavailable
from ..openapi import IDEMPOTENCY, PREFER, Accepted, Link, Operation
from ..queries import ask
from ..validation import body_as, path_uuid, validated

api = Api()


class WebhookPath(BaseModel):
    webhook_id: UUID


class DeliveryPath(WebhookPath):
    delivery_id: UUID


class DeliveryAccepted(BaseModel):
    """What a retry or a ping answers at once: its task, and the delivery it attempts."""

    task_id: str
    status_url: str
    webhook_id: str
    delivery_id: str
    event_id: str | None = None  # a ping's new event


_ATTEMPT_ERRORS = (400, 404, 409, 422, 503, 504)


def _webhook_links(pointer: str, *statuses: int) -> tuple[Link, ...]:
    """From an answer naming a webhook (at `pointer`) to its deliveries and its ping."""
    webhook = {"webhook_id": f"$response.body#{pointer}"}
    return (
        Link("ListDeliveries", "get", "/webhooks/{webhook_id}/deliveries", webhook, statuses),
        Link("PingWebhook", "post", "/webhooks/{webhook_id}/ping", webhook, statuses),
    )


def _retry_link(pointer: str, *statuses: int) -> Link:
    """From an answer naming a delivery (its webhook and id under `pointer`) to its retry."""
    return Link(
        "RetryDelivery",
        "post",
        "/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
        {
            "webhook_id": f"$response.body#{pointer}/webhook_id",
            "delivery_id": f"$response.body#{pointer}/delivery_id",
        },
        statuses,
    )


@api.operation(
    Operation("post", "/webhooks", "Register a webhook; the answer shows its secret once",
              "engineer", n.WebhookCreated, n.WebhookDraft, success=(201, 202),
              errors=(400, 408, 409, 413, 415, 422, 503, 504), headers=(PREFER, IDEMPOTENCY),
              links=_webhook_links("/result/webhook_id", 201, 202)),
)  # fmt: skip
async def register_webhook(call: Call) -> web.Response:
    draft = await body_as(call.request, n.WebhookDraft)
    deps, who, scope = call.deps, call.principal, call.idempotency
    webhook_id = new_uuid(scope, "webhook")
    task_id = new_id(scope, "task")
    message_id = new_id(scope, "message")
    secret = secrets.token_urlsafe(32)
    try:
        created = await deps.status.write(
            deps.status.new_task(
                task_id, t.WEBHOOK_REGISTER, who.account, who.actor, notify=deps.waiter.channel
            )
        )
    except RedisError as exc:
        raise task_store_unavailable() from exc
    if not created:  # a retry whose stored answer is gone: the first secret cannot be shown again
        raise ApiError(
            409,
            "this Idempotency-Key already registered a webhook and its secret was shown once; "
            f"delete webhook {webhook_id} and register again to get a new secret",
            type="conflict",
        )
    command = n.RegisterWebhook(
        webhook_id=webhook_id, url=str(draft.url), events=draft.events, secret=secret
    )
    status_url = f"/tasks/{task_id}"
    answer = n.WebhookCreated(
        webhook_id=webhook_id,
        secret=secret,
        url=command.url,
        events=list(command.events),
        task_id=task_id,
        status_url=status_url,
    ).model_dump(mode="json")
    await publish(
        call, t.WEBHOOK_REGISTER, command, task_id=task_id, message_id=message_id, answer=answer
    )
    wait_s = requested_wait(call.request, deps.settings.max_wait_s) or deps.settings.query_timeout_s
    task = await outcome_within(deps, task_id, wait_s)
    if task is not None and task.state is TaskState.SUCCESS:
        location = f"/webhooks/{webhook_id}"
        return respond(answer, status=201, headers={"Location": location})
    if task is not None and task.state in (TaskState.FAILURE, TaskState.REVOKED):
        return failed(task)
    return respond(answer, status=202, headers={"Location": status_url})


@api.operation(
    Operation("get", "/webhooks", "List the account's webhooks (never their secrets)", "viewer",
              n.WebhookPage, errors=(503, 504)),
)  # fmt: skip
async def list_webhooks(call: Call) -> web.Response:
    return respond(await ask(call, t.WEBHOOK_LIST, n.ListWebhooks()))


@api.operation(
    Operation("delete", "/webhooks/{webhook_id}", "Delete a webhook", "engineer", Accepted,
              success=(202, 200), errors=(400, 404, 409, 422, 503, 504),
              headers=(PREFER, IDEMPOTENCY), command=True),
    admits_in_handler=True,
)  # fmt: skip
async def delete_webhook(call: Call) -> web.Response:
    webhook_id = path_uuid(call.request, "webhook_id", "webhook")
    return await accept(
        call,
        t.WEBHOOK_DELETE,
        n.DeleteWebhook(webhook_id=webhook_id),
        accepted={"webhook_id": str(webhook_id)},
    )


@api.operation(
    Operation("get", "/webhooks/{webhook_id}/deliveries",
              "List a webhook's deliveries, newest first", "viewer", n.WebhookDeliveryPage,
              query=n.DeliveryPageQuery, errors=(404, 422, 503, 504)),
)  # fmt: skip
async def list_deliveries(call: Call) -> web.Response:
    path = validated(WebhookPath, dict(call.request.match_info))
    page = validated(n.DeliveryPageQuery, dict(call.request.query))
    query = n.ListWebhookDeliveries(webhook_id=path.webhook_id, **page.model_dump())
    return respond(await ask(call, t.WEBHOOK_LIST_DELIVERIES, query))


@api.operation(
    Operation("post", "/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
              "Attempt a delivery again now (signed afresh); the task ends as that attempt",
              "engineer", DeliveryAccepted, success=(202, 200), errors=_ATTEMPT_ERRORS,
              headers=(PREFER, IDEMPOTENCY), command=True),
    admits_in_handler=True,
)  # fmt: skip
async def retry_delivery(call: Call) -> web.Response:
    path = validated(DeliveryPath, dict(call.request.match_info))
    return await accept(
        call,
        t.WEBHOOK_RETRY_DELIVERY,
        n.RetryWebhookDelivery(webhook_id=path.webhook_id, delivery_id=path.delivery_id),
        accepted={"webhook_id": str(path.webhook_id), "delivery_id": str(path.delivery_id)},
    )


@api.operation(
    Operation("post", "/webhooks/{webhook_id}/ping",
              "Deliver a signed `webhook.ping` event now; the task ends as that attempt",
              "engineer", DeliveryAccepted, success=(202, 200), errors=_ATTEMPT_ERRORS,
              headers=(PREFER, IDEMPOTENCY), command=True,
              links=(_retry_link("/result", 202), _retry_link("/result/result", 200))),
    admits_in_handler=True,
)  # fmt: skip
async def ping_webhook(call: Call) -> web.Response:
    path = validated(WebhookPath, dict(call.request.match_info))
    event_id = new_uuid(call.idempotency, "ping")  # a retry with its key: the same ping
    delivery_id = n.delivery_id(str(event_id), path.webhook_id)
    return await accept(
        call,
        t.WEBHOOK_PING,
        n.PingWebhook(webhook_id=path.webhook_id, event_id=event_id),
        accepted={
            "webhook_id": str(path.webhook_id),
            "delivery_id": str(delivery_id),
            "event_id": str(event_id),
        },
    )
