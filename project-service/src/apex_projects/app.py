"""project-service wiring: every message it handles, and the handler each one goes to."""

from typing import Any

from faststream.rabbit.annotations import RabbitMessage

from apex_contracts import projects as c
from apex_contracts import topology as t
from apex_runtime.broker import COMMANDS, QUERIES, document_events, query_queue, work_queue
from apex_runtime.db import make_sessions
from apex_runtime.queries import answer
from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import Settings

from . import handlers
from .store import reads
from .tables import INBOX, OUTBOX

SERVICE = "project-service"


def build(settings: Settings) -> ServiceRuntime:
    rt = ServiceRuntime(SERVICE, settings, settings.project_port, with_db=True)
    assert rt.engine is not None
    reads_projects = reads(make_sessions(rt.engine))
    uow = rt.unit_of_work(OUTBOX, INBOX)
    broker = rt.broker
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

    # Commands, in batches: one transaction, one task report and one ack per batch.
    commands = rt.batch_consumer(
        work_queue(t.PROJECT_COMMANDS_QUEUE, "project.*", settings),
        COMMANDS,
        uow,
        lambda batch, tx: handlers.apply_commands(batch, tx, rt.status),
        description="Project commands, applied in delivery order, a batch per transaction.",
    )
    commands.route(t.PROJECT_CREATE, c.CreateProject, inbox=False)  # idempotent by project id
    commands.route(t.PROJECT_UPDATE, c.UpdateProject)
    commands.route(t.PROJECT_DELETE, c.DeleteProject)
    commands.route(t.PROJECT_SAVE_PAYLOAD, c.SaveProjectPayload)
    commands.route(t.PROJECT_SUBMIT, c.SubmitProject, awaits_children=True)

    @broker.subscriber(query_queue(SERVICE, t.PROJECT_GET, settings), QUERIES)
    async def on_get(query: c.GetProject, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.get_project(query, ctx, reads_projects))

    @broker.subscriber(query_queue(SERVICE, t.PROJECT_LIST, settings), QUERIES)
    async def on_list(query: c.ListProjects, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.list_projects(query, ctx, reads_projects))

    @broker.subscriber(query_queue(SERVICE, t.PROJECT_PAYLOAD_GET, settings), QUERIES)
    async def on_get_payload(query: c.GetPayload, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.get_payload(query, ctx, reads_projects))

    return rt
