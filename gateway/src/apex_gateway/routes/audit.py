"""`/audit`: the account's audit entries, newest first."""

from aiohttp import web

from apex_contracts import topology as t
from apex_contracts.audit import AuditPage, SearchAudit

from ..envelope import respond
from ..openapi import Operation
from ..principal import principal_of
from ..queries import ask
from ..validation import validated

routes = web.RouteTableDef()
OPERATIONS = (
    Operation("get", "/audit", "Search the account's audit log, newest first", "viewer",
              AuditPage, query=SearchAudit, errors=(422, 503, 504)),
)  # fmt: skip


@routes.get("/audit")
async def search_audit(request: web.Request) -> web.Response:
    principal_of(request).require("viewer")
    query = validated(SearchAudit, dict(request.query))
    return respond(await ask(request, t.AUDIT_SEARCH, query))
