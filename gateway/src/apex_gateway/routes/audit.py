"""`/audit`: the account's audit entries, newest first."""

from aiohttp import web

from apex_contracts import topology as t
from apex_contracts.audit import SearchAudit

from ..envelope import respond
from ..principal import principal_of
from ..queries import ask
from ..validation import validated

routes = web.RouteTableDef()


@routes.get("/audit")
async def search_audit(request: web.Request) -> web.Response:
    principal_of(request).require("viewer")
    query = validated(SearchAudit, dict(request.query))
    return respond(await ask(request, t.AUDIT_SEARCH, query))
