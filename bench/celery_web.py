"""The HTTP front of the Celery baseline: the same two routes the e2e client uses.

`POST /projects` validates the body with the same contract model as the gateway, enqueues
`bench.create_project` and answers 202 with `{task_id, project_id, status_url}`;
`GET /tasks/{id}` reads the Celery result backend and answers `{"result": {"state"}}`.
Celery's client is synchronous, so both calls run on the event loop as they would in a
typical aiohttp + Celery service (each is a short socket round trip; in the guarded
configuration, `BENCH_CELERY_GUARDED=1`, the publish also waits for the broker's confirm).
It publishes to `celery_app.QUEUE` with the app's options, so the front and the worker started
with the same `BENCH_CELERY_GUARDED` share one queue (plain, or quorum with confirms).
"""

from uuid import uuid4

import orjson
from aiohttp import web
from celery.result import AsyncResult
from celery_app import GUARDED, QUEUE, create_project
from celery_app import app as celery
from harness import serve
from pydantic import ValidationError

from apex_contracts.projects import ProjectDraft

ACCOUNT, ACTOR = "bench", "bench"


def respond(result: object, status: int = 200) -> web.Response:
    body = {"result": result, "errors": [], "assumptions": [], "confidence": 1.0}
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")


async def create(request: web.Request) -> web.Response:
    try:
        draft = ProjectDraft.model_validate_json(await request.read())
    except ValidationError as exc:
        return web.Response(body=exc.json().encode(), status=422, content_type="application/json")
    project_id = str(uuid4())
    fields = draft.model_dump(mode="json")
    sent = create_project.apply_async(args=(project_id, ACCOUNT, ACTOR, fields), queue=QUEUE)
    accepted = {"task_id": sent.id, "project_id": project_id, "status_url": f"/tasks/{sent.id}"}
    return respond(accepted, status=202)


async def task(request: web.Request) -> web.Response:
    task_id = request.match_info["task_id"]
    state = AsyncResult(task_id, app=celery).state
    return respond({"task_id": task_id, "state": state})


async def ready(_: web.Request) -> web.Response:
    return respond({"ready": True, "queue": QUEUE, "guarded": GUARDED})


def main() -> None:
    app = web.Application()
    app.router.add_post("/projects", create)
    app.router.add_get("/tasks/{task_id}", task)
    app.router.add_get("/ready", ready)
    serve(app, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
