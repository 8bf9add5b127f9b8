"""`/webhooks`: an account's webhook registrations (stored and delivered by notification-service).

`POST /webhooks` is a command like every other change (task, confirmed publish), but the
gateway makes the webhook's secret itself and answers with it, once: the secret travels to
notification-service in the command and is never written to the task store, an event or the
audit log. The request waits for the outcome (up to `Prefer: wait=N`, else the query timeout),
so a refused URL is a 422 here; if notification-service is slow the answer is a 202 that still
carries the id and the secret, and the task tells how it ended.
"""

import secrets

from aiohttp import web
from redis.exceptions import RedisError

from apex_contracts import notifications as n
from apex_contracts.tasks import TaskState

from ..commands import accept, failed, outcome_within, publish, requested_wait
from ..deps import deps_of
from ..envelope import ApiError, respond, task_store_unavailable
from ..guard import admitted_with_task, idempotency_of, new_id, new_uuid
from ..openapi import IDEMPOTENCY, PREFER, Accepted, Operation
from ..principal import principal_of
from ..queries import ask
from ..validation import body_as, path_uuid

routes = web.RouteTableDef()

OPERATIONS = (
    Operation("post", "/webhooks", "Register a webhook; the answer shows its secret once",
              "engineer", n.WebhookCreated, n.WebhookDraft, success=(201, 202),
              errors=(400, 408, 409, 413, 415, 422, 503, 504), headers=(PREFER, IDEMPOTENCY)),
    Operation("get", "/webhooks", "List the account's webhooks (never their secrets)", "viewer",
              n.WebhookPage, errors=(503, 504)),
    Operation("delete", "/webhooks/{webhook_id}", "Delete a webhook", "engineer", Accepted,
              success=(202, 200), errors=(400, 404, 409, 422, 503, 504),
              headers=(PREFER, IDEMPOTENCY), command=True),
)  # fmt: skip


@routes.post("/webhooks")
async def register_webhook(request: web.Request) -> web.Response:
    who = principal_of(request)
    who.require("engineer")
    draft = await body_as(request, n.WebhookDraft)
    deps = deps_of(request)
    scope = idempotency_of(request)
    webhook_id = new_uuid(scope, "webhook")
    task_id = new_id(scope, "task")
    message_id = new_id(scope, "message")
    secret = secrets.token_urlsafe(32)
    try:
        created = await deps.status.write(
            deps.status.new_task(
                task_id, n.WEBHOOK_REGISTER, who.account, who.actor, notify=deps.waiter.channel
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
        request, n.WEBHOOK_REGISTER, command, task_id=task_id, message_id=message_id, answer=answer
    )
    wait_s = requested_wait(request, deps.settings.max_wait_s) or deps.settings.query_timeout_s
    task = await outcome_within(request, task_id, wait_s)
    if task is not None and task.state is TaskState.SUCCESS:
        location = f"/webhooks/{webhook_id}"
        return respond(answer, status=201, headers={"Location": location})
    if task is not None and task.state in (TaskState.FAILURE, TaskState.REVOKED):
        return failed(task)
    return respond(answer, status=202, headers={"Location": status_url})


@routes.get("/webhooks")
async def list_webhooks(request: web.Request) -> web.Response:
    principal_of(request).require("viewer")
    return respond(await ask(request, n.WEBHOOK_LIST, n.ListWebhooks()))


@routes.delete("/webhooks/{webhook_id}")
@admitted_with_task
async def delete_webhook(request: web.Request) -> web.Response:
    principal_of(request).require("engineer")
    webhook_id = path_uuid(request, "webhook_id", "webhook")
    return await accept(
        request,
        n.WEBHOOK_DELETE,
        n.DeleteWebhook(webhook_id=webhook_id),
        accepted={"webhook_id": str(webhook_id)},
    )
