"""document-service wiring: every message it handles, and the handler each one goes to."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from faststream.rabbit.annotations import RabbitMessage
from prometheus_client import Histogram

from apex_contracts import documents as d
from apex_contracts import topology as t
from apex_contracts.projects import ProjectSubmitted
from apex_runtime.broker import EVENTS, QUERIES, document_events, event_queue, query_queue
from apex_runtime.collector import freeze_startup_heap
from apex_runtime.db import make_sessions
from apex_runtime.queries import answer
from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import Settings
from apex_runtime.worker_thread import WorkerThread

from . import handlers
from .engineering import SignageDesign
from .package import Package
from .render import PackageRenderer, RenderedPdf
from .tables import INBOX, OUTBOX

SERVICE = "document-service"
RENDER_SECONDS = Histogram(
    "apex_documents_render_seconds",
    "CPU-bound time of a calculation package on the WeasyPrint thread, by phase",
    ["phase"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
LAYOUT_SECONDS, WRITE_SECONDS = RENDER_SECONDS.labels("layout"), RENDER_SECONDS.labels("write")
PDF_BYTES = Histogram(
    "apex_documents_pdf_size_bytes",
    "Size of each rendered PDF",
    buckets=(16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216),
)


class ThreadedRenderer:
    """WeasyPrint on the service's worker thread: the event loop keeps serving meanwhile."""

    def __init__(self, thread: WorkerThread) -> None:
        self._thread = thread
        self._renderer: PackageRenderer | None = None

    def _get(self) -> PackageRenderer:
        if self._renderer is None:  # built on the worker thread, on first use
            self._renderer = PackageRenderer()
            freeze_startup_heap()
        return self._renderer

    async def layout(self, package: Package, created: datetime) -> Any:
        def run() -> Any:
            renderer = self._get()
            started = time.perf_counter()
            laid_out = renderer.layout(renderer.html(package, created))
            LAYOUT_SECONDS.observe(time.perf_counter() - started)
            return laid_out

        return await self._thread.run(run)

    async def write(self, laid_out: Any) -> RenderedPdf:
        def run() -> RenderedPdf:
            started = time.perf_counter()
            pdf = self._get().write(laid_out)
            WRITE_SECONDS.observe(time.perf_counter() - started)
            PDF_BYTES.observe(len(pdf.content))
            return pdf

        return await self._thread.run(run)


def build(settings: Settings) -> ServiceRuntime:
    rt = ServiceRuntime(SERVICE, settings, settings.document_port, with_db=True)
    assert rt.engine is not None
    sessions = make_sessions(rt.engine)
    uow = rt.unit_of_work(OUTBOX, INBOX)
    design = SignageDesign(rt.query_client(), settings.document_design_timeout_s)
    renderer = ThreadedRenderer(rt.worker_thread("weasyprint"))
    deps = handlers.RenderDeps(uow, sessions, renderer, design, rt.status)
    broker, tasks = rt.broker, rt.task_runner(t.DOCUMENT_EVENTS_QUEUE)
    document_events(broker, {t.DOCUMENT_RENDERED: d.DocumentRendered})

    @broker.subscriber(
        event_queue(t.DOCUMENT_EVENTS_QUEUE, t.PROJECT_SUBMITTED, settings),
        EVENTS,
        description="Renders the submission's calculation package, stores it, then publishes "
        "document.rendered; reports on the submission's render_document task.",
    )
    async def on_submitted(event: ProjectSubmitted, msg: RabbitMessage) -> None:
        task_id = event.tasks.render_document if event.tasks else None
        await tasks.run(
            msg, lambda ctx: handlers.render_submission(event, ctx, deps), task_id=task_id
        )

    @broker.subscriber(query_queue(SERVICE, t.DOCUMENT_GET, settings), QUERIES)
    async def on_get(query: d.GetDocument, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.get_document(query, ctx, sessions))

    @broker.subscriber(query_queue(SERVICE, t.DOCUMENT_LIST, settings), QUERIES)
    async def on_list(query: d.ListDocuments, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.list_documents(query, ctx, sessions))

    @broker.subscriber(query_queue(SERVICE, t.DOCUMENT_GET_CONTENT, settings), QUERIES)
    async def on_get_content(query: d.GetDocumentContent, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.get_content(query, ctx, sessions))

    return rt
