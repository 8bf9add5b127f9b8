"""The project use cases: one function per command or query, no broker code and no SQL.

A command's use case loads the `Project` from the store, calls the one aggregate method that
checks and changes it, saves it and emits the event the method returned. Its dependencies are
parameters: the store (`store.py`), the events (the transaction's outbox) and, for a
submission, the task store its child tasks are created in.
"""

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from pydantic import BaseModel

from apex_contracts import projects as c
from apex_contracts import topology as t
from apex_contracts.base import Message
from apex_runtime.errors import Conflict, DomainError, NotFound
from apex_runtime.tasks import AwaitChildren, MessageContext
from apex_runtime.unit_of_work import Incoming, Outcome, Transaction

from .domain import Project
from .store import ProjectStore, Reads, SqlProjectStore, decode_cursor, encode_cursor


class Events(Protocol):
    """Where a use case's events go: the outbox of the transaction it runs in."""

    events: list[Any]

    def handling(self, item: Incoming) -> AbstractContextManager[None]: ...

    async def emit(
        self, routing_key: str, event: Message, aggregate_id: str | None = None
    ) -> None: ...


class ChildTasks(Protocol):
    async def create(
        self, task_id: str, kind: str, account: str, owner: str, parent_id: str | None = None
    ) -> bool: ...


def now() -> datetime:
    return datetime.now(UTC)


# Commands -------------------------------------------------------------------------------


async def create_projects(
    items: Sequence[Incoming], store: ProjectStore, events: Events
) -> list[Outcome]:
    """Many creates in one INSERT … ON CONFLICT DO NOTHING.

    A create needs no inbox row: the project id is its key (the gateway derives it from the
    Idempotency-Key, and a redelivery carries the same body), so a create whose id exists is
    the same command again — it answers the project as it stands — unless another account
    holds that id.
    """
    at = now()
    projects = [Project.new(i.body, i.ctx.account, i.ctx.actor, at) for i in items]
    new = await store.add_new(projects)
    taken = [p.id for p in projects if p.id not in new]
    existing = await store.by_ids(taken) if taken else {}
    outcomes: list[Outcome] = []
    created: dict[UUID, c.ProjectView] = {}
    for item, project in zip(items, projects, strict=True):
        if project.id in new and project.id not in created:
            event = project.created(item.ctx.actor)
            created[project.id] = event.project
            with events.handling(item):
                await events.emit(t.PROJECT_CREATED, event, str(project.id))
            outcomes.append(event.project)
            continue
        stored = existing.get(project.id)
        earlier = created.get(project.id) or (stored.view() if stored is not None else None)
        if earlier is not None and earlier.account == item.ctx.account:
            outcomes.append(earlier)
        else:
            outcomes.append(Conflict(f"project id {project.id} is taken"))
    return outcomes


async def update_project(
    cmd: c.UpdateProject, ctx: MessageContext, store: ProjectStore, events: Events
) -> c.ProjectView:
    project = await store.get(ctx.account, cmd.project_id, lock=True)
    event = project.update(cmd, ctx.actor, now())
    await store.save(project)
    await events.emit(t.PROJECT_UPDATED, event, str(project.id))
    return event.project


async def delete_project(
    cmd: c.DeleteProject, ctx: MessageContext, store: ProjectStore, events: Events
) -> c.ProjectView:
    project = await store.get(ctx.account, cmd.project_id, lock=True)
    event = project.delete(cmd.expected_version, ctx.actor, now())
    await store.save(project)
    await events.emit(t.PROJECT_DELETED, event, str(project.id))
    return project.view()


async def save_payload(
    cmd: c.SaveProjectPayload, ctx: MessageContext, store: ProjectStore, events: Events
) -> c.PayloadView:
    project = await store.get(ctx.account, cmd.project_id, lock=True)
    latest = await store.latest_payload(project.id)
    payload, event = project.save_payload(
        cmd, latest.payload_version if latest else None, ctx.actor, now()
    )
    await store.add_payload(payload)
    await events.emit(t.PROJECT_PAYLOAD_SAVED, event, str(project.id))
    return payload.view()


async def submit_project(
    cmd: c.SubmitProject,
    ctx: MessageContext,
    store: ProjectStore,
    events: Events,
    tasks: ChildTasks,
) -> AwaitChildren:
    """Accept a submission; its task ends when its child tasks (render, email) do."""
    project = await store.get(ctx.account, cmd.project_id, lock=True)
    payload = await store.latest_payload(project.id)
    earlier = await store.count_submissions(project.id)
    submission, event = project.submit(payload, earlier, ctx.actor, now(), ctx.task_id)
    await store.save(project)
    await store.add_submission(submission)
    if event.tasks is not None and ctx.task_id is not None:  # before the event can reach them
        children = event.tasks
        for kind, child in (
            ("render_document", children.render_document),
            ("email_pm", children.email_pm),
        ):
            await tasks.create(child, kind, ctx.account, ctx.actor, parent_id=ctx.task_id)
    await events.emit(t.PROJECT_SUBMITTED, event, str(project.id))
    return AwaitChildren(submission.view())


OneCommand = Callable[[Any, MessageContext, ProjectStore, Events], Awaitable[BaseModel]]
ONE_AT_A_TIME: dict[str, OneCommand] = {
    t.PROJECT_UPDATE: update_project,
    t.PROJECT_DELETE: delete_project,
    t.PROJECT_SAVE_PAYLOAD: save_payload,
}


async def apply_commands(
    commands: Sequence[Incoming], tx: Transaction, tasks: ChildTasks
) -> list[Outcome]:
    """A batch of project commands in the caller's one transaction (the batch consumer's)."""
    return await apply_batch(commands, SqlProjectStore(tx.session), tx, tasks)


async def apply_batch(
    commands: Sequence[Incoming], store: ProjectStore, events: Events, tasks: ChildTasks
) -> list[Outcome]:
    """Commands in delivery order. Consecutive creates go in one statement; every other
    command runs alone in a savepoint, so a refusal (a stale If-Match, a missing project)
    undoes that command and its events only."""
    outcomes: list[Outcome] = []
    for run in _runs(commands):
        if run[0].routing_key == t.PROJECT_CREATE:
            outcomes += await create_projects(run, store, events)
        else:
            outcomes.append(await _one(run[0], store, events, tasks))
    return outcomes


def _runs(commands: Sequence[Incoming]) -> list[list[Incoming]]:
    """Consecutive creates together; anything else on its own."""
    runs: list[list[Incoming]] = []
    for item in commands:
        if runs and item.routing_key == t.PROJECT_CREATE == runs[-1][0].routing_key:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


async def _one(item: Incoming, store: ProjectStore, events: Events, tasks: ChildTasks) -> Outcome:
    emitted = len(events.events)
    try:
        with events.handling(item):
            async with store.savepoint():
                if item.routing_key == t.PROJECT_SUBMIT:
                    return await submit_project(item.body, item.ctx, store, events, tasks)
                handle = ONE_AT_A_TIME[item.routing_key]
                return await handle(item.body, item.ctx, store, events)
    except DomainError as refused:
        del events.events[emitted:]  # the savepoint is rolled back; so are its events
        return refused


# Queries --------------------------------------------------------------------------------


async def get_project(query: c.GetProject, ctx: MessageContext, reads: Reads) -> c.ProjectView:
    async with reads() as store:
        return (await store.get(ctx.account, query.project_id)).view()


async def get_payload(query: c.GetPayload, ctx: MessageContext, reads: Reads) -> c.PayloadView:
    async with reads() as store:
        await store.get(ctx.account, query.project_id)
        payload = await store.latest_payload(query.project_id)
    if payload is None:
        raise NotFound(f"project {query.project_id} has no design payload yet")
    return payload.view()


async def list_projects(query: c.ListProjects, ctx: MessageContext, reads: Reads) -> c.ProjectPage:
    """Newest first, keyset pagination on (created_at, id)."""
    after = decode_cursor(query.cursor) if query.cursor else None
    async with reads() as store:
        rows = await store.page(ctx.account, query, after)
    page = rows[: query.limit]
    more = len(rows) > query.limit and page
    next_cursor = encode_cursor((page[-1].created_at, page[-1].id)) if more else None
    return c.ProjectPage(items=[p.view() for p in page], next_cursor=next_cursor)
