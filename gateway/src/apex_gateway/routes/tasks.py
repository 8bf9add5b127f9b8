"""`/tasks/{id}`: a task of the caller's account, or 404."""

from aiohttp import web
from redis.exceptions import RedisError

from apex_contracts.tasks import TaskView

from ..commands import task_body
from ..deps import deps_of
from ..envelope import ApiError, respond
from ..principal import principal_of

routes = web.RouteTableDef()


async def _task_of_account(request: web.Request) -> TaskView:
    task_id = request.match_info["task_id"]
    try:
        task = await deps_of(request).status.get(task_id)
    except RedisError as exc:
        raise ApiError(
            503,
            "task store unavailable; retry shortly",
            type="unavailable",
            headers={"Retry-After": "2"},
        ) from exc
    if task is None or task.account != principal_of(request).account:
        raise ApiError(404, f"task {task_id} not found", type="not_found")
    return task


@routes.get("/tasks/{task_id}")
async def get_task(request: web.Request) -> web.Response:
    principal_of(request).require("viewer")
    return respond(task_body(await _task_of_account(request)))


@routes.delete("/tasks/{task_id}")
async def cancel_task(request: web.Request) -> web.Response:
    principal_of(request).require("engineer")
    task = await _task_of_account(request)
    status = deps_of(request).status
    moved = await status.revoke(task.task_id)
    if not moved.applied:
        raise ApiError(409, f"task {task.task_id} already ended {moved.previous}", type="conflict")
    current = await status.get(task.task_id)
    return respond(task_body(current) if current else None)
