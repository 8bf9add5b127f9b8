"""The OpenAPI 3.1 document, generated from the pydantic models the routes validate with."""

import re
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from apex_contracts.envelope import FieldError
from apex_contracts.tasks import TaskView


class Accepted(BaseModel):
    """What a command answers at once: its task and where to watch it."""

    task_id: str
    status_url: str
    project_id: str | None = None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    role: str | None  # None: no credentials needed
    result: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    success: tuple[int, ...] = (200,)
    errors: tuple[int, ...] = ()
    headers: tuple[tuple[str, bool, str], ...] = ()  # (name, required, description)
    query_params: tuple[tuple[str, bool, str], ...] = ()  # extra query parameters, as headers
    media_type: str = "application/json"  # of the success response
    command: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


PREFER = ("Prefer", False, "`wait=N` (RFC 7240, N ≤ 30): wait for the task's outcome")
IDEMPOTENCY = (
    "Idempotency-Key",
    False,
    "1 to 255 characters; retries with the same key repeat the answer",
)
IF_MATCH_REQUIRED = ("If-Match", True, 'the ETag read, e.g. "3"; `*` for any version')
IF_MATCH = ("If-Match", False, 'the ETag read, e.g. "3"')
COMMAND_ERRORS = (400, 404, 408, 409, 412, 413, 415, 422, 503, 504)

REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted: the task was recorded and the command confirmed",
    400: "Malformed JSON or header",
    401: "Missing or invalid credentials",
    403: "The principal lacks the role",
    404: "Not found (or another account's)",
    408: "The body arrived too slowly",
    409: "Conflict, or an idempotent request in progress",
    412: "Stale If-Match",
    413: "Body over 1 MiB, or a design config over 256 KiB",
    415: "Body is not application/json",
    422: "Validation failed (one entry per problem)",
    428: "If-Match required",
    429: "Rate limit reached (see Retry-After)",
    503: "A dependency is unavailable (see Retry-After)",
    504: "A service did not answer in time; for a command, RabbitMQ did not confirm it in time"
    " (`outcome_unknown`: it may still take effect; follow the task in Location)",
}


def _envelope(result_ref: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["result", "errors", "assumptions", "confidence", "trace"],
        "properties": {
            "result": {"anyOf": [result_ref, {"type": "null"}]} if result_ref else {},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
            "assumptions": {"type": "array", "items": {"type": "string"}},
            "confidence": {"type": "number"},
            "trace": {
                "type": "object",
                "properties": {"trace_id": {"type": ["string", "null"]}},
            },
        },
    }


REF = "#/components/schemas/"
Mode = Literal["validation", "serialization"]


def _model_schemas(
    operations: tuple[Operation, ...],
) -> tuple[dict[tuple[type[BaseModel], Mode], dict[str, Any]], dict[str, Any]]:
    """Every model's schema generated together, so two models named alike (two `Site`s)
    get distinct component names instead of overwriting each other."""
    wanted: set[tuple[type[BaseModel], Mode]] = {(TaskView, "serialization")}
    for op in operations:
        if op.result is not None:
            wanted.add((op.result, "serialization"))
        if op.body is not None:
            wanted.add((op.body, "validation"))
    ordered = sorted(wanted, key=lambda m: (m[0].__module__, m[0].__qualname__, m[1]))
    keys, schema = models_json_schema(ordered, ref_template=REF + "{model}")
    by_model = {
        (model, mode): ref for (model, mode), ref in keys.items() if isinstance(model, type)
    }
    defs: dict[str, Any] = schema.get("$defs", {})
    return by_model, defs  # type: ignore[return-value]


def _ref_name(ref: dict[str, Any]) -> str:
    return str(ref["$ref"]).removeprefix(REF)


# a document id is the SHA-256 of its PDF, not a UUID
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "document_id": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
}


def _parameters(op: Operation, components: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for name in re.findall(r"\{(\w+)\}", op.path):
        params.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": PATH_SCHEMAS.get(name, {"type": "string", "format": "uuid"}),
            }
        )
    if op.query is not None:
        for name, prop in op.query.model_json_schema()["properties"].items():
            if name == "schema_version":
                continue
            params.append({"name": name, "in": "query", "required": False, "schema": prop})
    for name, required, description in op.query_params:
        params.append(
            {
                "name": name,
                "in": "query",
                "required": required,
                "description": description,
                "schema": {"type": "string"},
            }
        )
    for name, required, description in op.headers:
        params.append(
            {
                "name": name,
                "in": "header",
                "required": required,
                "description": description,
                "schema": {"type": "string"},
            }
        )
    return params


def _responses(op: Operation, result: dict[str, Any] | None) -> dict[str, Any]:
    result_name = _ref_name(result) if result else ""
    codes = {*op.success, *op.errors}
    if IDEMPOTENCY in op.headers:
        codes |= {400, 409, 422}  # a malformed key, one in flight, one used for another request
    if op.role is not None:
        codes |= {401, 403, 429}
    responses: dict[str, Any] = {}
    for code in sorted(codes):
        ok = code < 300
        schema_ref = REF + "Envelope" + (result_name if ok else "")
        if ok and op.result and op.command and code in (200, 201):
            schema_ref = "#/components/schemas/EnvelopeTaskView"
        content: dict[str, Any] = {"application/json": {"schema": {"$ref": schema_ref}}}
        if ok and op.media_type != "application/json":
            binary = not op.media_type.startswith("text/")  # e.g. application/pdf
            schema = {"type": "string", "format": "binary"} if binary else {"type": "string"}
            content = {op.media_type: {"schema": schema}}
        responses[str(code)] = {"description": REASONS.get(code, ""), "content": content}
    return responses


def _operation_id(op: Operation) -> str:
    words = op.path.strip("/").replace("{", "").replace("}", "").replace("/", "_")
    return f"{op.method}_{words}"


def build_spec(operations: tuple[Operation, ...]) -> dict[str, Any]:
    """The document for `operations` (each route module lists its own in `OPERATIONS`)."""
    keys, components = _model_schemas(operations)
    components["FieldError"] = FieldError.model_json_schema()
    components["Envelope"] = _envelope(None)
    paths: dict[str, Any] = {}
    for op in operations:
        result = keys[(op.result, "serialization")] if op.result else None
        if result is not None:
            components[f"Envelope{_ref_name(result)}"] = _envelope(result)
        operation: dict[str, Any] = {
            "summary": op.summary,
            "operationId": _operation_id(op),
            "parameters": _parameters(op, components),
            "responses": _responses(op, result),
        }
        if op.role is None:
            operation["security"] = []
        else:
            operation["description"] = f"Needs the `{op.role}` role (or above)."
        if op.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": keys[(op.body, "validation")]}},
            }
        for key, value in op.extra.items():  # e.g. a non-JSON success response
            if isinstance(value, dict) and isinstance(operation.get(key), dict):
                operation[key] = {**operation[key], **value}
            else:
                operation[key] = value
        paths.setdefault(op.path, {})[op.method] = operation
    components["EnvelopeTaskView"] = _envelope(keys[(TaskView, "serialization")])
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "APEX gateway",
            "version": version("apex-gateway"),
            "description": "Sign-structure engineering back end; JSON bodies use the envelope.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "x-apex-key"},
            },
        },
        "security": [{"bearer": []}, {"apiKey": []}],
    }
