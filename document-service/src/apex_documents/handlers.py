"""The document use cases: render a submission's package, and the queries. No broker code."""

from __future__ import annotations

import base64
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apex_contracts import documents as d
from apex_contracts import topology as t
from apex_contracts.projects import ProjectSubmitted
from apex_contracts.tasks import ErrorCode, TaskState
from apex_runtime.errors import DomainError, NotFound
from apex_runtime.tasks import MessageContext
from apex_runtime.telemetry import current_trace_id
from apex_runtime.unit_of_work import Transaction, UnitOfWork

from . import store
from .engineering import DesignAnswer, DesignSource
from .package import NO_VALUE, Package, build_package, design_request
from .render import RenderedPdf

log = logging.getLogger(__name__)
Sessions = async_sessionmaker[AsyncSession]


class Cancelled(DomainError):
    """The submission was cancelled: stop rendering, store nothing, send nothing."""

    def __init__(self, task_id: str) -> None:
        super().__init__(ErrorCode.CONFLICT, f"task {task_id} was cancelled; rendering stopped")


class Renderer(Protocol):
    """Lays out and writes a package off the event loop (see `app.ThreadedRenderer`)."""

    async def layout(self, package: Package, created: datetime) -> Any: ...

    async def write(self, laid_out: Any) -> RenderedPdf: ...


class TaskStatus(Protocol):
    async def get(self, task_id: str) -> object: ...

    async def progress(self, task_id: str, percent: float) -> bool: ...


class Checkpoints:
    """Progress reports that also notice a cancellation between the expensive steps."""

    def __init__(self, status: TaskStatus, task_id: str | None) -> None:
        self.status = status
        self.task_id = task_id

    async def reached(self, percent: float) -> None:
        if not self.task_id:
            return
        try:
            task = await self.status.get(self.task_id)
            if getattr(task, "state", None) is TaskState.REVOKED:
                raise Cancelled(self.task_id)
            await self.status.progress(self.task_id, percent)
        except RedisError as exc:  # progress is a courtesy; the rendering goes on
            log.warning("task store unreachable; progress not reported: %r", exc)


@dataclass(frozen=True)
class RenderDeps:
    uow: UnitOfWork
    sessions: Sessions
    renderer: Renderer
    design: DesignSource
    status: TaskStatus


def safe_filename(project_name: str, submission_number: int) -> str:
    """ASCII letters, digits, dot, dash and underscore only: safe in any Content-Disposition."""
    ascii_name = unicodedata.normalize("NFKD", project_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:60].strip("-")
    return f"calculation-package-{slug or 'project'}-s{submission_number}.pdf"


async def render_submission(
    event: ProjectSubmitted, ctx: MessageContext, deps: RenderDeps
) -> d.DocumentView:
    """Render, store and announce a submission's calculation package, once per submission."""
    async with deps.sessions() as session:
        existing = await store.by_submission(session, event.submission_id)
    if existing is not None:  # a redelivery after the first one committed
        return existing
    task_id = event.tasks.render_document if event.tasks else None
    checkpoints = Checkpoints(deps.status, task_id)
    await checkpoints.reached(5)

    request, why_not = design_request(event.payload.module, event.payload.config)
    answer = (
        await deps.design.design(event.payload.config, ctx.account, ctx.actor)
        if request is not None
        else DesignAnswer(None, why_not)
    )
    package = build_package(event, request, answer.reply, answer.notice, current_trace_id())
    await checkpoints.reached(25)
    laid_out = await deps.renderer.layout(package, event.submitted_at)
    await checkpoints.reached(70)
    pdf = await deps.renderer.write(laid_out)
    await checkpoints.reached(90)

    filename = safe_filename(event.project.name, event.submission_number)
    new = store.NewDocument(
        document_id=pdf.sha256,
        content=pdf.content,
        account=ctx.account or event.account,  # the header the runtime carries, as queries use
        project_id=event.project_id,
        submission_id=event.submission_id,
        submission_number=event.submission_number,
        project_name=event.project.name,
        filename=filename,
        pages=pdf.pages,
        payload_sha256=event.payload.sha256,
        engineering=answer.reply is not None,
        trace_id=package.trace_id if package.trace_id != NO_VALUE else None,
        message_id=ctx.message_id,
        created_at=datetime.now(UTC),
    )

    async def work(tx: Transaction) -> d.DocumentView:
        if not await store.add(tx.session, new):
            stored = await store.by_submission(tx.session, event.submission_id)
            if stored is not None:  # rendered concurrently by another delivery
                return stored
        stored = await store.by_submission(tx.session, event.submission_id)
        assert stored is not None
        rendered = rendered_event(event, stored)
        await tx.emit(t.DOCUMENT_RENDERED, rendered, str(event.project_id))
        return stored

    return await deps.uow.once(ctx, f"{t.PROJECT_SUBMITTED}:document", d.DocumentView, work)


def rendered_event(event: ProjectSubmitted, doc: d.DocumentView) -> d.DocumentRendered:
    return d.DocumentRendered(
        document_id=doc.document_id,
        project_id=event.project_id,
        submission_id=event.submission_id,
        account=doc.account,
        actor=event.actor,
        occurred_at=doc.created_at,
        pages=doc.pages,
        size_bytes=doc.size_bytes,
        filename=doc.filename,
        url=doc.url,
        project_name=event.project.name,
        customer=event.project.customer,
        pm_email=event.project.pm_email,
        submission_number=event.submission_number,
        submitted_by=event.submitted_by,
        payload_sha256=event.payload.sha256,
        engineering=doc.engineering,
        email_task_id=event.tasks.email_pm if event.tasks else None,
        render_task_id=event.tasks.render_document if event.tasks else None,
        parent_task_id=event.parent_task_id,
    )


# Queries --------------------------------------------------------------------------------


async def get_document(
    query: d.GetDocument, ctx: MessageContext, sessions: Sessions
) -> d.DocumentView:
    async with sessions() as session:
        doc = await store.of_account(session, ctx.account, query.document_id)
    if doc is None:
        raise NotFound(f"document {query.document_id} not found")
    return doc


async def list_documents(
    query: d.ListDocuments, ctx: MessageContext, sessions: Sessions
) -> d.DocumentPage:
    async with sessions() as session:
        return await store.page_of_project(
            session, ctx.account, query.project_id, query.limit, query.cursor
        )


async def get_content(
    query: d.GetDocumentContent, ctx: MessageContext, sessions: Sessions
) -> d.DocumentContent:
    """The bytes when they fit in `max_bytes`; a chunk of them when `chunked`; else a link."""
    async with sessions() as session:
        doc = await store.of_account(session, ctx.account, query.document_id)
        if doc is None:
            raise NotFound(f"document {query.document_id} not found")
        if not query.chunked and doc.size_bytes > query.max_bytes:
            return d.DocumentContent(document=doc, content_b64=None)
        offset = min(query.offset, doc.size_bytes) if query.chunked else 0
        part = await store.content_slice(session, doc.document_id, offset, query.max_bytes)
    end = offset + len(part)
    return d.DocumentContent(
        document=doc,
        content_b64=base64.b64encode(part).decode(),
        offset=offset,
        length=len(part),
        next_offset=end if end < doc.size_bytes else None,
    )
