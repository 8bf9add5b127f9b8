"""`/projects`: commands are published (202), reads are queries to project-service."""

import orjson
from aiohttp import web

from apex_contracts import projects as c
from apex_contracts import topology as t

from ..call import Api, Call, new_uuid
from ..commands import accept
from ..envelope import ApiError, respond
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
from ..queries import ask
from ..validation import body_as, if_match_version, path_uuid, validated

api = Api()

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


@api.operation(
    Operation("post", "/projects", "Create a project", "engineer", Accepted, c.ProjectDraft,
              success=(202, 201), errors=(400, 408, 409, 413, 415, 422, 503, 504),
              headers=(PREFER, IDEMPOTENCY), command=True,
              links=(*_project_links("/result/project_id", 202),
                     *_project_links("/result/result/project_id", 201))),
    admits_in_handler=True,
)  # fmt: skip
async def create_project(call: Call) -> web.Response:
    draft = await body_as(call.request, c.ProjectDraft)
    project_id = new_uuid(call.idempotency, "project")  # a retried create names the same project
    command = c.CreateProject(project_id=project_id, **draft.model_dump())
    return await accept(
        call,
        t.PROJECT_CREATE,
        command,
        accepted={"project_id": str(project_id)},
        created_location=f"/projects/{project_id}",
    )


@api.operation(
    Operation("get", "/projects", "List the account's projects, newest first", "viewer",
              c.ProjectPage, query=c.ListProjects, errors=(422, 503, 504)),
)  # fmt: skip
async def list_projects(call: Call) -> web.Response:
    query = validated(c.ListProjects, dict(call.request.query))
    return respond(await ask(call, t.PROJECT_LIST, query))


@api.operation(
    Operation("get", "/projects/{project_id}", "Read a project (ETag = version)", "viewer",
              c.ProjectView, errors=(404, 503, 504), links=(_REPLACE_READ,)),
)  # fmt: skip
async def get_project(call: Call) -> web.Response:
    project_id = path_uuid(call.request, "project_id", "project")
    project = await ask(call, t.PROJECT_GET, c.GetProject(project_id=project_id))
    etag = f'"{project["version"]}"'
    if call.request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers={"ETag": etag})
    return respond(project, headers={"ETag": etag})


@api.operation(
    Operation("put", "/projects/{project_id}", "Replace a project's fields", "engineer", Accepted,
              c.ProjectDraft, success=(202, 200), errors=(*COMMAND_ERRORS, 428),
              headers=(IF_MATCH_REQUIRED, PREFER, IDEMPOTENCY), command=True),
    admits_in_handler=True,
)  # fmt: skip
async def update_project(call: Call) -> web.Response:
    project_id = path_uuid(call.request, "project_id", "project")
    draft = await body_as(call.request, c.ProjectDraft)  # a malformed body: 400/422 before 412
    version = if_match_version(call.request, required=True)
    command = c.UpdateProject(project_id=project_id, expected_version=version, **draft.model_dump())
    return await accept(call, t.PROJECT_UPDATE, command, accepted={"project_id": str(project_id)})


@api.operation(
    Operation("delete", "/projects/{project_id}", "Delete a project (soft)", "engineer", Accepted,
              success=(202, 200), errors=(400, 404, 409, 412, 422, 503),
              headers=(IF_MATCH, PREFER, IDEMPOTENCY), command=True),
    admits_in_handler=True,
)  # fmt: skip
async def delete_project(call: Call) -> web.Response:
    project_id = path_uuid(call.request, "project_id", "project")
    version = if_match_version(call.request, required=False)
    command = c.DeleteProject(project_id=project_id, expected_version=version)
    return await accept(call, t.PROJECT_DELETE, command, accepted={"project_id": str(project_id)})


@api.operation(
    Operation("post", "/projects/{project_id}/payload", "Save a design payload snapshot",
              "engineer", Accepted, c.PayloadDraft, success=(202, 200),
              errors=COMMAND_ERRORS, headers=(PREFER, IDEMPOTENCY), command=True),
    admits_in_handler=True,
)  # fmt: skip
async def save_payload(call: Call) -> web.Response:
    project_id = path_uuid(call.request, "project_id", "project")
    draft = await body_as(call.request, c.PayloadDraft)
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
        call, t.PROJECT_SAVE_PAYLOAD, command, accepted={"project_id": str(project_id)}
    )


@api.operation(
    Operation("post", "/projects/{project_id}/submit",
              "Submit for approval: renders the calculation package and emails the PM",
              "engineer", Accepted, success=(202, 200), errors=COMMAND_ERRORS,
              headers=(PREFER, IDEMPOTENCY), command=True),
    admits_in_handler=True,
)  # fmt: skip
async def submit_project(call: Call) -> web.Response:
    project_id = path_uuid(call.request, "project_id", "project")
    command = c.SubmitProject(project_id=project_id)
    return await accept(call, t.PROJECT_SUBMIT, command, accepted={"project_id": str(project_id)})


@api.operation(
    Operation("get", "/projects/{project_id}/payload", "Read the latest design payload",
              "viewer", c.PayloadView, errors=(404, 503, 504)),
)  # fmt: skip
async def get_payload(call: Call) -> web.Response:
    project_id = path_uuid(call.request, "project_id", "project")
    return respond(await ask(call, t.PROJECT_PAYLOAD_GET, c.GetPayload(project_id=project_id)))
