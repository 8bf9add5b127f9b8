"""project-service wiring: every message it handles, and the handler each one goes to."""

from typing import Any

from faststream.rabbit.annotations import RabbitMessage

from apex_contracts import projects as c
from apex_contracts import topology as t
from apex_runtime.broker import (
    COMMANDS,
    QUERIES,
    document_events,
    query_queue,
    routed,
    work_queue,
)
from apex_runtime.db import make_sessions
from apex_runtime.queries import answer
from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import Settings
from apex_runtime.unknown import refuse_unknown_command

from . import handlers
from .tables import INBOX, OUTBOX

SERVICE = "project-service"


def build(settings: Settings) -> ServiceRuntime:
    rt = ServiceRuntime(SERVICE, settings, settings.project_port, with_db=True)
    assert rt.engine is not None
    sessions = make_sessions(rt.engine)
    uow = rt.unit_of_work(OUTBOX, INBOX)
    broker, tasks = rt.broker, rt.task_runner(t.PROJECT_COMMANDS_QUEUE)
    document_events(
        broker,
        {
            t.PROJECT_CREATED: c.ProjectCreated,
            t.PROJECT_UPDATED: c.ProjectUpdated,
            t.PROJECT_DELETED: c.ProjectDeleted,
            t.PROJECT_PAYLOAD_SAVED: c.ProjectPayloadSaved,
            t.PROJECT_SUBMITTED: c.ProjectSubmitted,
        },
    )

    commands = broker.subscriber(
        work_queue(t.PROJECT_COMMANDS_QUEUE, "project.*", settings), COMMANDS
    )

    @commands(filter=routed(t.PROJECT_CREATE))
    async def on_create(cmd: c.CreateProject, msg: RabbitMessage) -> None:
        await tasks.run(msg, lambda ctx: handlers.create_project(cmd, ctx, uow))

    @commands(filter=routed(t.PROJECT_UPDATE))
    async def on_update(cmd: c.UpdateProject, msg: RabbitMessage) -> None:
        await tasks.run(msg, lambda ctx: handlers.update_project(cmd, ctx, uow))

    @commands(filter=routed(t.PROJECT_DELETE))
    async def on_delete(cmd: c.DeleteProject, msg: RabbitMessage) -> None:
        await tasks.run(msg, lambda ctx: handlers.delete_project(cmd, ctx, uow))

    @commands(filter=routed(t.PROJECT_SAVE_PAYLOAD))
    async def on_save_payload(cmd: c.SaveProjectPayload, msg: RabbitMessage) -> None:
        await tasks.run(msg, lambda ctx: handlers.save_payload(cmd, ctx, uow))

    @commands(filter=routed(t.PROJECT_SUBMIT))
    async def on_submit(cmd: c.SubmitProject, msg: RabbitMessage) -> None:
        await tasks.run(msg, lambda ctx: handlers.submit_project(cmd, ctx, uow, rt.status))

    @commands
    async def on_unknown(body: Any, msg: RabbitMessage) -> None:
        await refuse_unknown_command(msg, rt.status)

    @broker.subscriber(query_queue(SERVICE, t.PROJECT_GET, settings), QUERIES)
    async def on_get(query: c.GetProject, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.get_project(query, ctx, sessions))

    @broker.subscriber(query_queue(SERVICE, t.PROJECT_LIST, settings), QUERIES)
    async def on_list(query: c.ListProjects, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.list_projects(query, ctx, sessions))

    @broker.subscriber(query_queue(SERVICE, t.PROJECT_PAYLOAD_GET, settings), QUERIES)
    async def on_get_payload(query: c.GetPayload, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.get_payload(query, ctx, sessions))

    return rt
