"""`/projects`: commands are published (202), reads are queries to project-service."""

import orjson
from aiohttp import web

from apex_contracts import projects as c
from apex_contracts import topology as t

from ..commands import accept
from ..envelope import ApiError, respond
from ..guard import admitted_with_task, idempotency_of, new_uuid
from ..openapi import (
    COMMAND_ERRORS,
    IDEMPOTENCY,
    IF_MATCH,
    IF_MATCH_REQUIRED,
    PREFER,
    Accepted,
    Link,
    Operation,
)
from ..principal import principal_of
from ..queries import ask
from ..validation import body_as, if_match_version, path_uuid, validated

routes = web.RouteTableDef()

_ONE_PROJECT = (
    ("ReadProject", "get", "/projects/{project_id}"),
    ("ReplaceProject", "put", "/projects/{project_id}"),
    ("DeleteProject", "delete", "/projects/{project_id}"),
    ("SavePayload", "post", "/projects/{project_id}/payload"),
    ("ReadPayload", "get", "/projects/{project_id}/payload"),
    ("SubmitProject", "post", "/projects/{project_id}/submit"),
    ("ListDocuments", "get", "/projects/{project_id}/documents"),
)


def _project_links(pointer: str, *statuses: int) -> tuple[Link, ...]:
    """Links from an answer naming a project (at `pointer`) to everything done to one; a
    replace goes with `If-Match: *` here, and with the read ETag from `ReadProject`."""
    links = []
    for name, method, path in _ONE_PROJECT:
        parameters = {"project_id": f"$response.body#{pointer}"}
        if method == "put":
            parameters["header.If-Match"] = "*"
        links.append(Link(name, method, path, parameters, statuses))
    return tuple(links)


_REPLACE_READ = Link(
    "ReplaceReadVersion",
    "put",
    "/projects/{project_id}",
    {"project_id": "$response.body#/result/project_id", "header.If-Match": "$response.header.ETag"},
    (200,),
)

OPERATIONS = (
    Operation("post", "/projects", "Create a project", "engineer", Accepted, c.ProjectDraft,
              success=(202, 201), errors=(400, 408, 409, 413, 415, 422, 503, 504),
              headers=(PREFER, IDEMPOTENCY), command=True,
              links=(*_project_links("/result/project_id", 202),
                     *_project_links("/result/result/project_id", 201))),
    Operation("get", "/projects", "List the account's projects, newest first", "viewer",
              c.ProjectPage, query=c.ListProjects, errors=(422, 503, 504)),
    Operation("get", "/projects/{project_id}", "Read a project (ETag = version)", "viewer",
              c.ProjectView, errors=(404, 503, 504), links=(_REPLACE_READ,)),
    Operation("put", "/projects/{project_id}", "Replace a project's fields", "engineer", Accepted,
              c.ProjectDraft, success=(202, 200), errors=(*COMMAND_ERRORS, 428),
              headers=(IF_MATCH_REQUIRED, PREFER, IDEMPOTENCY), command=True),
    Operation("delete", "/projects/{project_id}", "Delete a project (soft)", "engineer", Accepted,
              success=(202, 200), errors=(400, 404, 409, 412, 422, 503),
              headers=(IF_MATCH, PREFER, IDEMPOTENCY), command=True),
    Operation("post", "/projects/{project_id}/payload", "Save a design payload snapshot",
              "engineer", Accepted, c.PayloadDraft, success=(202, 200),
              errors=COMMAND_ERRORS, headers=(PREFER, IDEMPOTENCY), command=True),
    Operation("post", "/projects/{project_id}/submit",
              "Submit for approval: renders the calculation package and emails the PM",
              "engineer", Accepted, success=(202, 200), errors=COMMAND_ERRORS,
              headers=(PREFER, IDEMPOTENCY), command=True),
    Operation("get", "/projects/{project_id}/payload", "Read the latest design payload",
              "viewer", c.PayloadView, errors=(404, 503, 504)),
)  # fmt: skip


@routes.post("/projects")
@admitted_with_task
async def create_project(request: web.Request) -> web.Response:
    principal_of(request).require("engineer")
    draft = await body_as(request, c.ProjectDraft)
    scope = idempotency_of(request)  # a retried create names the same project
    project_id = new_uuid(scope, "project")
    command = c.CreateProject(project_id=project_id, **draft.model_dump())
    return await accept(
        request,
        t.PROJECT_CREATE,
        command,
        accepted={"project_id": str(project_id)},
        created_location=f"/projects/{project_id}",
    )


@routes.get("/projects")
async def list_projects(request: web.Request) -> web.Response:
    principal_of(request).require("viewer")
    query = validated(c.ListProjects, dict(request.query))
    return respond(await ask(request, t.PROJECT_LIST, query))


@routes.get("/projects/{project_id}")
async def get_project(request: web.Request) -> web.Response:
    principal_of(request).require("viewer")
    project_id = path_uuid(request, "project_id", "project")
    project = await ask(request, t.PROJECT_GET, c.GetProject(project_id=project_id))
    etag = f'"{project["version"]}"'
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers={"ETag": etag})
    return respond(project, headers={"ETag": etag})


@routes.put("/projects/{project_id}")
@admitted_with_task
async def update_project(request: web.Request) -> web.Response:
    principal_of(request).require("engineer")
    project_id = path_uuid(request, "project_id", "project")
    draft = await body_as(request, c.ProjectDraft)  # a malformed body is 400/422 before any 412
    version = if_match_version(request, required=True)
    command = c.UpdateProject(project_id=project_id, expected_version=version, **draft.model_dump())
    return await accept(
        request, t.PROJECT_UPDATE, command, accepted={"project_id": str(project_id)}
    )


@routes.delete("/projects/{project_id}")
@admitted_with_task
async def delete_project(request: web.Request) -> web.Response:
    principal_of(request).require("engineer")
    project_id = path_uuid(request, "project_id", "project")
    version = if_match_version(request, required=False)
    command = c.DeleteProject(project_id=project_id, expected_version=version)
    return await accept(
        request, t.PROJECT_DELETE, command, accepted={"project_id": str(project_id)}
    )


@routes.post("/projects/{project_id}/payload")
@admitted_with_task
async def save_payload(request: web.Request) -> web.Response:
    principal_of(request).require("engineer")
    project_id = path_uuid(request, "project_id", "project")
    draft = await body_as(request, c.PayloadDraft)
    size = len(orjson.dumps(draft.config))
    if size > c.PAYLOAD_MAX_BYTES:
        raise ApiError(
            413,
            f"config is {size} bytes; the limit is {c.PAYLOAD_MAX_BYTES}",
            type="too_large",
            field="config",
        )
    command = c.SaveProjectPayload(project_id=project_id, module=draft.module, config=draft.config)
    return await accept(
        request, t.PROJECT_SAVE_PAYLOAD, command, accepted={"project_id": str(project_id)}
    )


@routes.post("/projects/{project_id}/submit")
@admitted_with_task
async def submit_project(request: web.Request) -> web.Response:
    principal_of(request).require("engineer")
    project_id = path_uuid(request, "project_id", "project")
    command = c.SubmitProject(project_id=project_id)
    return await accept(
        request, t.PROJECT_SUBMIT, command, accepted={"project_id": str(project_id)}
    )


@routes.get("/projects/{project_id}/payload")
async def get_payload(request: web.Request) -> web.Response:
    principal_of(request).require("viewer")
    project_id = path_uuid(request, "project_id", "project")
    return respond(await ask(request, t.PROJECT_PAYLOAD_GET, c.GetPayload(project_id=project_id)))
