"""audit-service wiring: every event and command into the audit log; its queries answered."""

import logging
from typing import Any

from faststream.rabbit.annotations import RabbitMessage

from apex_contracts import audit as a
from apex_contracts import topology as t
from apex_runtime.broker import COMMANDS, EVENTS, QUERIES, event_queue, query_queue, work_queue
from apex_runtime.queries import answer
from apex_runtime.service import ServiceRuntime
from apex_runtime.settings import Settings

from . import handlers, verification
from .ingest import BatchIngest, Source
from .redaction import Redactor
from .signing import KeySource
from .tables import writer_database_url

SERVICE = "audit-service"
log = logging.getLogger(__name__)


def build(settings: Settings) -> ServiceRuntime:
    # The service writes as role apex_audit (INSERT and SELECT only), never as the owner.
    writer = writer_database_url(settings.database_url, settings.audit_database_url)
    rt = ServiceRuntime(SERVICE, settings, settings.audit_port, with_db=True, database_url=writer)
    assert rt.engine is not None
    engine = rt.engine
    keys = KeySource(
        settings.audit_signing_key,
        settings.audit_signing_key_file,
        settings.audit_trusted_keys,
        settings.environment,
    )
    pending = handlers.PendingCheckpoints(settings.audit_checkpoint_every)
    broker = rt.broker

    # Declared, bound and documented here; consumed in batches by `ingest` (see its docstring).
    broker.subscriber(
        event_queue(t.AUDIT_EVENTS_QUEUE, "#", settings),
        EVENTS,
        title=f"{t.AUDIT_EVENTS_QUEUE}:{t.EVENTS_EXCHANGE}:OnEvent",
        description="Every domain event (security.* included) becomes an audit entry.",
    )
    broker.subscriber(
        work_queue(t.AUDIT_COMMANDS_QUEUE, "#", settings),
        COMMANDS,
        title=f"{t.AUDIT_COMMANDS_QUEUE}:{t.COMMANDS_EXCHANGE}:OnCommand",
        description="Every command the gateway accepted becomes an audit entry.",
    )
    ingest = BatchIngest(
        settings.amqp_url,
        [Source(t.AUDIT_EVENTS_QUEUE, "event"), Source(t.AUDIT_COMMANDS_QUEUE, "command")],
        lambda drafts: handlers.append_entries(
            drafts, engine, keys, settings.audit_checkpoint_every
        ),
        Redactor.configured(settings.audit_redact_fields, settings.audit_redact_emails),
        prefetch=settings.audit_prefetch,
        batch_max=settings.audit_batch_max,
        batch_wait_s=settings.audit_batch_wait_s,
        on_appended=lambda appended: pending.advanced(appended.heads),
    )
    rt.add_loop(ingest.run)
    rt.checks["ingest"] = ingest.check

    async def sign_pending() -> None:
        """Sign the head of each account that grew since its last checkpoint."""
        heads = pending.take()
        try:
            await handlers.sign_checkpoints(heads, engine, keys)
        except Exception:
            pending.give_back(heads)
            log.exception("checkpoints not signed; retrying at the next tick")

    rt.add_loop(sign_pending, every_s=settings.audit_checkpoint_interval_s)
    rt.on_stop(sign_pending)  # what the ingest appended since the last tick

    @broker.subscriber(query_queue(SERVICE, t.AUDIT_SEARCH, settings), QUERIES)
    async def on_search(query: a.SearchAudit, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.search(query, ctx, engine))

    @broker.subscriber(query_queue(SERVICE, t.AUDIT_EXPORT, settings), QUERIES)
    async def on_export(query: a.ExportAudit, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.export(query, ctx, engine))

    @broker.subscriber(query_queue(SERVICE, t.AUDIT_VERIFY, settings), QUERIES)
    async def on_verify(query: a.VerifyAudit, msg: RabbitMessage) -> Any:
        return await answer(
            msg,
            lambda ctx: verification.verify(
                query,
                ctx,
                engine,
                keys,
                settings.audit_verify_chunk,
                settings.audit_verify_parallel,
            ),
        )

    @broker.subscriber(query_queue(SERVICE, t.AUDIT_CHECKPOINTS, settings), QUERIES)
    async def on_checkpoints(query: a.ListCheckpoints, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda ctx: handlers.list_checkpoints(query, ctx, engine, keys))

    @broker.subscriber(query_queue(SERVICE, t.AUDIT_ACCOUNTS, settings), QUERIES)
    async def on_accounts(query: a.ListAuditAccounts, msg: RabbitMessage) -> Any:
        return await answer(msg, lambda _: handlers.list_accounts(engine))

    return rt
