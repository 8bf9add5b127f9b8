"""Answers a query: the handler's result, or its domain error, as a `QueryReply`."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.message import StreamMessage
from pydantic import BaseModel

from apex_contracts.queries import QueryReply
from apex_contracts.tasks import ErrorCode

from .errors import DomainError
from .tasks import MessageContext

log = logging.getLogger(__name__)


async def answer(
    msg: StreamMessage[Any], work: Callable[[MessageContext], Awaitable[BaseModel]]
) -> QueryReply:
    """Run a query handler; never lets an exception reach the caller as a timeout."""
    try:
        result = await work(MessageContext.of(msg))
    except DomainError as exc:
        return QueryReply.failure(exc.code, exc.message)
    except ArithmeticError as exc:  # inputs at the edge of what the formulas can take
        log.warning("query arithmetic failed: %r", exc)
        return QueryReply.failure(
            ErrorCode.INVALID, f"the inputs are outside the range the calculation holds for ({exc})"
        )
    except Exception:
        log.exception("query failed")
        return QueryReply.failure(ErrorCode.INTERNAL, "the query failed; see the service log")
    return QueryReply.success(result.model_dump(mode="json"))
