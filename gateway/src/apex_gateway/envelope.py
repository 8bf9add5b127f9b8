"""Every JSON answer in the envelope (contracts `envelope.py`); errors mapped to HTTP statuses."""

import asyncio
from typing import Any

import orjson
from aiohttp import web
from pydantic import ValidationError

from apex_contracts.tasks import ErrorCode
from apex_runtime.side_server import envelope_body

STATUS_OF: dict[ErrorCode, int] = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.VERSION_CONFLICT: 412,
    ErrorCode.CONFLICT: 409,
    ErrorCode.INVALID: 422,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.TIMEOUT: 504,
    ErrorCode.INTERNAL: 500,
}


def respond(
    result: Any = None,
    *,
    status: int = 200,
    errors: list[dict[str, str]] | None = None,
    assumptions: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    return web.Response(
        body=orjson.dumps(envelope_body(result, errors, assumptions), default=str),
        status=status,
        content_type="application/json",
        headers=headers,
    )


# A 5xx answer that is final all the same: its Idempotency-Key keeps it for retries.
KEEPS_IDEMPOTENCY_KEY = web.ResponseKey("keeps_idempotency_key", bool)


class ApiError(Exception):
    """Raised by a route; the error middleware turns it into an envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str,
        field: str = "",
        headers: dict[str, str] | None = None,
        errors: list[dict[str, str]] | None = None,
        result: Any = None,
        final: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers
        self.result = result
        self.final = final  # its Idempotency-Key keeps it although it is a 5xx
        self.errors = errors or [{"field": field, "message": message, "type": type}]

    @classmethod
    def of_code(cls, code: ErrorCode, message: str, field: str = "") -> "ApiError":
        return cls(STATUS_OF.get(code, 500), message, type=code.value, field=field)

    @classmethod
    def invalid(cls, exc: ValidationError, prefix: str = "") -> "ApiError":
        errors = [
            {
                "field": prefix + ".".join(str(p) for p in e["loc"]),
                "message": e["msg"],
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        return cls(422, "invalid request", type="invalid", errors=errors)

    @classmethod
    def malformed_header(cls, name: str, message: str) -> "ApiError":
        """400 naming a request header whose value breaks its documented syntax."""
        return cls(400, message, type="invalid", field=name)

    def response(self) -> web.Response:
        response = respond(
            self.result, status=self.status, errors=self.errors, headers=self.headers
        )
        if self.final:
            response[KEEPS_IDEMPOTENCY_KEY] = True
        return response


def unavailable(what: str, retry_after_s: int) -> ApiError:
    """503 with `Retry-After`: something the gateway needs is unreachable."""
    return ApiError(
        503,
        f"{what} unavailable; retry shortly",
        type="unavailable",
        headers={"Retry-After": str(retry_after_s)},
    )


def broker_unavailable() -> ApiError:
    return unavailable("message broker", 5)


def task_store_unavailable() -> ApiError:
    return unavailable("task store", 2)


def http_error(exc: web.HTTPException) -> web.Response:
    """aiohttp's own error (unknown route, wrong method, body too large) as an envelope."""
    headers = {k: v for k, v in exc.headers.items() if k.lower() == "allow"}
    kind = exc.reason.lower().replace(" ", "_")
    return respond(
        status=exc.status,
        errors=[{"field": "", "message": exc.reason, "type": kind}],
        headers=headers,
    )


async def read_json(request: web.Request, timeout_s: float) -> Any:
    """The request body as JSON: 415 for another media type, 408 when it arrives too slowly."""
    media = request.content_type
    if request.body_exists and not (media == "application/json" or media.endswith("+json")):
        raise ApiError(
            415,
            f"send the body as application/json, not {media or 'an unlabelled body'}",
            type="unsupported_media_type",
            field="Content-Type",
        )
    if request.content.is_eof():  # the whole body came with the headers: nothing to wait for
        return parse_json(await request.read())
    try:
        async with asyncio.timeout(timeout_s):
            raw = await request.read()
    except TimeoutError as exc:
        raise ApiError(408, "the request body arrived too slowly", type="timeout") from exc
    return parse_json(raw)


def parse_json(raw: bytes) -> Any:
    """The request body as JSON; anything else is a 400 that says so."""
    if not raw:
        raise ApiError(400, "a JSON body is required", type="json_invalid", field="body")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(
            400, f"body is not valid JSON: {exc}", type="json_invalid", field="body"
        ) from exc
