"""`/audit`: search, export, verify the account's audit log, and its signed checkpoints."""

import orjson
from aiohttp import web

from apex_contracts import audit as a
from apex_contracts import topology as t

from ..call import Api, Call
from ..envelope import ApiError, respond
from ..openapi import Operation
from ..queries import ask
from ..validation import validated

api = Api()

NDJSON = "application/x-ndjson"


@api.operation(
    Operation("get", "/audit", "Search the account's audit log, newest first", "viewer",
              a.AuditPage, query=a.SearchAudit, errors=(422, 503, 504)),
)  # fmt: skip
async def search_audit(call: Call) -> web.Response:
    query = validated(a.SearchAudit, dict(call.request.query))
    return respond(await ask(call, t.AUDIT_SEARCH, query))


@api.operation(
    Operation("get", "/audit/export", "Export the account's audit log as NDJSON, oldest first",
              "viewer", a.AuditRecord, query=a.ExportAudit, errors=(422, 503, 504),
              media_type=NDJSON),
)  # fmt: skip
async def export_audit(call: Call) -> web.StreamResponse:
    """Streams chunk after chunk from audit-service; an error after the first line is sent as a
    last line `{"error": {...}}` (the status has gone out by then)."""
    query = validated(a.ExportAudit, dict(call.request.query))
    chunk = a.AuditExportChunk.model_validate(await ask(call, t.AUDIT_EXPORT, query))
    response = web.StreamResponse(headers={"Content-Type": NDJSON})
    await response.prepare(call.request)
    while True:
        lines = b"".join(orjson.dumps(r.model_dump(mode="json")) + b"\n" for r in chunk.records)
        await response.write(lines)
        if chunk.next_after is None:
            break
        query = query.model_copy(update={"after": chunk.next_after})
        try:
            chunk = a.AuditExportChunk.model_validate(await ask(call, t.AUDIT_EXPORT, query))
        except ApiError as exc:
            await response.write(orjson.dumps({"error": exc.errors[0]}) + b"\n")
            break
    await response.write_eof()
    return response


@api.operation(
    Operation("get", "/audit/verify", "Recompute the hash chain and check every signed checkpoint",
              "admin", a.AuditVerification, errors=(503, 504)),
)  # fmt: skip
async def verify_audit(call: Call) -> web.Response:
    query = a.VerifyAudit()
    total: a.AuditVerification | None = None
    while True:
        part = a.AuditVerification.model_validate(await ask(call, t.AUDIT_VERIFY, query))
        total = part if total is None else total.followed_by(part)
        if part.complete:
            return respond(total.model_dump(mode="json"))
        query = a.VerifyAudit(after_sequence=part.head_sequence, after_hash=part.head_hash)


@api.operation(
    Operation("get", "/audit/checkpoints", "Signed checkpoints, newest first, and the public key",
              "viewer", a.CheckpointPage, query=a.ListCheckpoints, errors=(422, 503, 504)),
)  # fmt: skip
async def audit_checkpoints(call: Call) -> web.Response:
    query = validated(a.ListCheckpoints, dict(call.request.query))
    return respond(await ask(call, t.AUDIT_CHECKPOINTS, query))
