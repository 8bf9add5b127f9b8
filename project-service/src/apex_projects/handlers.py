"""The project use cases: one function per command or query, no broker code."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel
from sqlalchemy import and_, func, or_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from apex_contracts import projects as c
from apex_contracts import topology as t
from apex_runtime.errors import Conflict, DomainError, Invalid, NotFound
from apex_runtime.status_store import StatusStore
from apex_runtime.tasks import AwaitChildren, MessageContext
from apex_runtime.unit_of_work import Incoming, Outcome, Transaction

from .domain import (
    EDITABLE_STATUSES,
    check_version,
    child_task_id,
    decode_cursor,
    encode_cursor,
    fingerprint,
    like_pattern,
    missing_for_submission,
)
from .tables import PayloadSnapshot, Project, Submission


def view(p: Project) -> c.ProjectView:
    return c.ProjectView(
        project_id=p.id,
        account=p.account,
        name=p.name,
        customer=p.customer,
        pm_email=p.pm_email,
        notes=p.notes,
        site=c.ProjectSite.model_validate(p.site) if p.site else None,
        status=p.status,
        version=p.version,
        created_by=p.created_by,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


async def _load(session: AsyncSession, account: str, project_id: object, *, lock: bool) -> Project:
    """A live project of this account; another account's project does not exist."""
    query = select(Project).where(
        col(Project.id) == project_id,
        col(Project.account) == account,
        col(Project.status) != "deleted",
    )
    if lock:
        query = query.with_for_update()
    project = (await session.execute(query)).scalar_one_or_none()
    if project is None:
        raise NotFound(f"project {project_id} not found")
    return project


async def apply_commands(
    commands: Sequence[Incoming], tx: Transaction, status: StatusStore
) -> list[Outcome]:
    """A batch of project commands in delivery order, in the caller's one transaction.

    Consecutive creates go in one statement; every other command runs alone in a savepoint, so
    a refusal (a stale If-Match, a missing project) undoes that command only.
    """
    outcomes: list[Outcome] = []
    for run in _runs(commands):
        if run[0].routing_key == t.PROJECT_CREATE:
            outcomes += await create_projects(run, tx)
        else:
            outcomes.append(await _one(run[0], tx, status))
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


async def _one(item: Incoming, tx: Transaction, status: StatusStore) -> Outcome:
    emitted = len(tx.events)
    try:
        with tx.handling(item):
            async with tx.session.begin_nested():
                if item.routing_key == t.PROJECT_SUBMIT:
                    return AwaitChildren(await submit_project(item.body, item.ctx, tx, status))
                handle = ONE_AT_A_TIME[item.routing_key]
                return await handle(item.body, item.ctx, tx)
    except DomainError as refused:
        del tx.events[emitted:]  # the savepoint is rolled back; so are its events
        return refused


async def create_projects(items: Sequence[Incoming], tx: Transaction) -> list[Outcome]:
    """Many creates in one INSERT … ON CONFLICT DO NOTHING.

    A create needs no inbox row: the project id is its key (the gateway derives it from the
    Idempotency-Key, and a redelivery carries the same body), so a create whose id exists is
    the same command again — it answers the project as stored — unless another account holds
    that id.
    """
    now = datetime.now(UTC)
    projects = [_new_project(item.body, item.ctx, now) for item in items]
    table = Project.__table__  # type: ignore[attr-defined]
    inserted = await tx.session.execute(  # one cached statement, sent as one multi-row INSERT
        insert(table).on_conflict_do_nothing(index_elements=[table.c.id]).returning(table.c.id),
        [{c.name: getattr(p, c.name) for c in table.columns} for p in projects],
    )
    new = {row[0] for row in inserted}
    taken = [p.id for p in projects if p.id not in new]
    existing = {}
    if taken:
        rows = await tx.session.execute(select(Project).where(col(Project.id).in_(taken)))
        existing = {p.id: p for p in rows.scalars()}
    outcomes: list[Outcome] = []
    created: dict[UUID, c.ProjectView] = {}
    for item, project in zip(items, projects, strict=True):
        if project.id in new and project.id not in created:
            result = created[project.id] = view(project)
            event = c.ProjectCreated(
                project_id=project.id,
                account=item.ctx.account,
                actor=item.ctx.actor,
                occurred_at=now,
                project=result,
            )
            with tx.handling(item):
                await tx.emit(t.PROJECT_CREATED, event, str(project.id))
            outcomes.append(result)
            continue
        # The id exists (created earlier in this batch, or before it): the same command again
        # answers the project as it stands, unless the id is another account's.
        stored = existing.get(project.id)
        earlier = created.get(project.id) or (view(stored) if stored is not None else None)
        if earlier is not None and earlier.account == item.ctx.account:
            outcomes.append(earlier)
        else:
            outcomes.append(Conflict(f"project id {project.id} is taken"))
    return outcomes


def _new_project(cmd: c.CreateProject, ctx: MessageContext, now: datetime) -> Project:
    return Project(
        id=cmd.project_id,
        account=ctx.account,
        name=cmd.name,
        customer=cmd.customer,
        pm_email=cmd.pm_email,
        notes=cmd.notes,
        site=cmd.site.model_dump(mode="json") if cmd.site else None,
        status="draft",
        version=1,
        created_by=ctx.actor,
        created_at=now,
        updated_at=now,
    )


async def update_project(
    cmd: c.UpdateProject, ctx: MessageContext, tx: Transaction
) -> c.ProjectView:
    project = await _load(tx.session, ctx.account, cmd.project_id, lock=True)
    check_version(project.id, project.version, cmd.expected_version)
    now = datetime.now(UTC)
    project.name, project.customer = cmd.name, cmd.customer
    project.pm_email, project.notes = cmd.pm_email, cmd.notes
    project.site = cmd.site.model_dump(mode="json") if cmd.site else None
    project.version += 1
    project.updated_at = now
    await tx.session.flush()
    result = view(project)
    event = c.ProjectUpdated(
        project_id=project.id,
        account=ctx.account,
        actor=ctx.actor,
        occurred_at=now,
        project=result,
    )
    await tx.emit(t.PROJECT_UPDATED, event, str(project.id))
    return result


async def delete_project(
    cmd: c.DeleteProject, ctx: MessageContext, tx: Transaction
) -> c.ProjectView:
    project = await _load(tx.session, ctx.account, cmd.project_id, lock=True)
    check_version(project.id, project.version, cmd.expected_version)
    now = datetime.now(UTC)
    project.status = "deleted"  # soft delete: the row and its history stay
    project.version += 1
    project.updated_at = now
    await tx.session.flush()
    event = c.ProjectDeleted(
        project_id=project.id,
        account=ctx.account,
        actor=ctx.actor,
        occurred_at=now,
        version=project.version,
    )
    await tx.emit(t.PROJECT_DELETED, event, str(project.id))
    return view(project)


async def save_payload(
    cmd: c.SaveProjectPayload, ctx: MessageContext, tx: Transaction
) -> c.PayloadView:
    project = await _load(tx.session, ctx.account, cmd.project_id, lock=True)
    if project.status not in EDITABLE_STATUSES:
        raise Invalid(f"project {project.id} is {project.status}; its design cannot change now")
    latest = (
        await tx.session.execute(
            select(func.max(col(PayloadSnapshot.payload_version))).where(
                col(PayloadSnapshot.project_id) == project.id
            )
        )
    ).scalar_one()
    now = datetime.now(UTC)
    snapshot = PayloadSnapshot(
        project_id=project.id,
        payload_version=(latest or 0) + 1,
        module=cmd.module,
        config=cmd.config,
        sha256=fingerprint(cmd.config),
        saved_by=ctx.actor,
        saved_at=now,
    )
    tx.session.add(snapshot)
    await tx.session.flush()
    event = c.ProjectPayloadSaved(
        project_id=project.id,
        account=ctx.account,
        actor=ctx.actor,
        occurred_at=now,
        payload_version=snapshot.payload_version,
        module=snapshot.module,
        sha256=snapshot.sha256,
    )
    await tx.emit(t.PROJECT_PAYLOAD_SAVED, event, str(project.id))
    return payload_view(snapshot)


def payload_view(s: PayloadSnapshot) -> c.PayloadView:
    return c.PayloadView(
        project_id=s.project_id,
        module=s.module,
        config=s.config,
        payload_version=s.payload_version,
        sha256=s.sha256,
        saved_by=s.saved_by,
        saved_at=s.saved_at,
    )


Sessions = async_sessionmaker[AsyncSession]


async def get_project(
    query: c.GetProject, ctx: MessageContext, sessions: Sessions
) -> c.ProjectView:
    async with sessions() as session:
        return view(await _load(session, ctx.account, query.project_id, lock=False))


async def get_payload(
    query: c.GetPayload, ctx: MessageContext, sessions: Sessions
) -> c.PayloadView:
    async with sessions() as session:
        await _load(session, ctx.account, query.project_id, lock=False)
        snapshot = await _latest_payload(session, query.project_id)
        if snapshot is None:
            raise NotFound(f"project {query.project_id} has no design payload yet")
        return payload_view(snapshot)


async def list_projects(
    query: c.ListProjects, ctx: MessageContext, sessions: Sessions
) -> c.ProjectPage:
    """Newest first, keyset pagination on (created_at, id)."""
    conditions = [col(Project.account) == ctx.account]
    conditions.append(
        col(Project.status) == query.status if query.status else col(Project.status) != "deleted"
    )
    if query.q:
        conditions.append(col(Project.name).ilike(like_pattern(query.q)))
    if query.cursor:
        created_at, project_id = decode_cursor(query.cursor)
        conditions.append(
            or_(
                col(Project.created_at) < created_at,
                and_(col(Project.created_at) == created_at, col(Project.id) < project_id),
            )
        )
    statement = (
        select(Project)
        .where(*conditions)
        .order_by(col(Project.created_at).desc(), col(Project.id).desc())
        .limit(query.limit + 1)
    )
    async with sessions() as session:
        rows = list((await session.execute(statement)).scalars())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return c.ProjectPage(items=[view(p) for p in rows], next_cursor=next_cursor)


async def submit_project(
    cmd: c.SubmitProject, ctx: MessageContext, tx: Transaction, status: StatusStore
) -> c.SubmissionView:
    """Accept a submission: status `submitted`, a submission record, the child tasks, the event.

    Its task ends when the child tasks (render the document, email the PM) do."""
    project = await _load(tx.session, ctx.account, cmd.project_id, lock=True)
    snapshot = await _latest_payload(tx.session, project.id)
    missing = missing_for_submission(project.status, snapshot is not None, project.pm_email)
    if project.status not in EDITABLE_STATUSES:
        raise Conflict("; ".join(missing))
    if missing or snapshot is None:
        raise Invalid("cannot submit yet: " + "; ".join(missing))
    count = (
        await tx.session.execute(
            select(func.count()).where(col(Submission.project_id) == project.id)
        )
    ).scalar_one()
    now = datetime.now(UTC)
    submission = Submission(
        id=uuid4(),
        project_id=project.id,
        number=count + 1,
        submitted_by=ctx.actor,
        submitted_at=now,
        payload_version=snapshot.payload_version,
        payload_sha256=snapshot.sha256,
    )
    project.status = "submitted"
    project.version += 1
    project.updated_at = now
    tx.session.add(submission)
    await tx.session.flush()
    tasks = None
    if ctx.task_id:  # the children exist before the event can reach their workers
        tasks = c.SubmissionTasks(
            render_document=child_task_id(ctx.task_id, "render_document"),
            email_pm=child_task_id(ctx.task_id, "email_pm"),
        )
        for kind, child in (
            ("render_document", tasks.render_document),
            ("email_pm", tasks.email_pm),
        ):
            await status.create(child, kind, ctx.account, ctx.actor, parent_id=ctx.task_id)
    event = c.ProjectSubmitted(
        project_id=project.id,
        account=ctx.account,
        actor=ctx.actor,
        occurred_at=now,
        submission_id=submission.id,
        submission_number=submission.number,
        submitted_by=ctx.actor,
        submitted_at=now,
        project=view(project),
        payload=payload_view(snapshot),
        parent_task_id=ctx.task_id,
        tasks=tasks,
    )
    await tx.emit(t.PROJECT_SUBMITTED, event, str(project.id))
    return submission_view(submission)


def submission_view(s: Submission) -> c.SubmissionView:
    return c.SubmissionView(
        submission_id=s.id,
        project_id=s.project_id,
        submission_number=s.number,
        submitted_by=s.submitted_by,
        submitted_at=s.submitted_at,
        payload_version=s.payload_version,
        payload_sha256=s.payload_sha256,
    )


async def _latest_payload(session: AsyncSession, project_id: object) -> PayloadSnapshot | None:
    return (
        await session.execute(
            select(PayloadSnapshot)
            .where(col(PayloadSnapshot.project_id) == project_id)
            .order_by(col(PayloadSnapshot.payload_version).desc())
            .limit(1)
        )
    ).scalar_one_or_none()


OneCommand = Callable[[Any, MessageContext, Transaction], Awaitable[BaseModel]]
ONE_AT_A_TIME: dict[str, OneCommand] = {
    t.PROJECT_UPDATE: update_project,
    t.PROJECT_DELETE: delete_project,
    t.PROJECT_SAVE_PAYLOAD: save_payload,
}
