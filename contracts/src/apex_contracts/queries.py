"""The reply every query answers with: a result or an error, never an exception."""

from typing import Any

from .base import Message
from .tasks import ErrorCode


class QueryError(Message):
    code: ErrorCode
    message: str
    fields: list[dict[str, str]] = []


class QueryReply(Message):
    ok: bool
    result: Any = None
    error: QueryError | None = None

    @classmethod
    def success(cls, result: Any) -> "QueryReply":
        return cls(ok=True, result=result)

    @classmethod
    def failure(cls, code: ErrorCode, message: str) -> "QueryReply":
        return cls(ok=False, error=QueryError(code=code, message=message))
