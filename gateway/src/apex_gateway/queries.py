"""Asking a service over the broker and turning its reply into an HTTP answer."""

from typing import Any

from pydantic import BaseModel

from apex_contracts import topology as t
from apex_runtime.amqp_client import BrokerUnavailable, QueryTimeout

from .call import Call
from .envelope import STATUS_OF, ApiError, broker_unavailable


async def ask(call: Call, routing_key: str, query: BaseModel) -> Any:
    """The query's result; its error, a timeout or an unreachable broker as an `ApiError`."""
    deps, who = call.deps, call.principal
    headers = {t.HEADER_ACCOUNT: who.account, t.HEADER_ACTOR: who.actor}
    try:
        reply = await deps.broker.query(
            routing_key,
            query.model_dump_json().encode(),
            headers=headers,
            timeout_s=deps.settings.query_timeout_s,
        )
    except QueryTimeout as exc:
        raise ApiError(504, str(exc), type="timeout") from exc
    except BrokerUnavailable as exc:
        raise broker_unavailable() from exc
    if reply.ok:
        return reply.result
    assert reply.error is not None
    errors = [
        {"field": f["field"], "message": f["message"], "type": f["type"]}
        for f in reply.error.fields
    ] or [{"field": "", "message": reply.error.message, "type": reply.error.code.value}]
    raise ApiError(
        STATUS_OF.get(reply.error.code, 500), reply.error.message, type="", errors=errors
    )
