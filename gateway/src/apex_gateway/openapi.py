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
class Param:
    """A header or query parameter, with the schema the gateway enforces for it."""

    name: str
    required: bool
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: an operation a response's values feed, so a client (and schemathesis's
    stateful phase) can follow a create to its reads. Values are runtime expressions such as
    `$response.body#/result/task_id`; a parameter named `header.X` sets a request header."""

    name: str
    method: str
    path: str
    parameters: dict[str, str]
    statuses: tuple[int, ...]


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
    headers: tuple[Param, ...] = ()
    query_params: tuple[Param, ...] = ()  # beyond those of `query`
    media_type: str = "application/json"  # of the success response
    sse_event: str = ""  # for text/event-stream: the event name each `result` is sent under
    command: bool = False  # answers with a task (202, or the finished task on 200/201)
    links: tuple[Link, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


# What the gateway checks, written once: the handlers match these patterns too.
# 1 to 255 printable ASCII characters (an RFC 8941 sf-string's range), not starting or ending
# in a space, which HTTP would strip
IDEMPOTENCY_KEY_PATTERN = r"^[!-~](?:[ -~]{0,253}[!-~])?$"
# An entity tag (RFC 9110 §8.8.3; a bare number is taken too) or `*`. One that parses but names
# no version is 412; anything else is malformed (400).
IF_MATCH_PATTERN = r'^(?:\*|(?:W/)?"[!#-~]*"|\d+)$'
VERSION_ETAG_PATTERN = r'^(?:W/)?"?([1-9]\d{0,9})"?$'

PREFER = Param(
    "Prefer",
    False,
    "`wait=N` (RFC 7240, N ≤ 30): wait for the task's outcome; other preferences are ignored",
)
IDEMPOTENCY = Param(
    "Idempotency-Key",
    False,
    "1 to 255 printable ASCII characters; retries with the same key repeat the answer",
    {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
)
_IF_MATCH_SCHEMA = {"type": "string", "pattern": IF_MATCH_PATTERN}
IF_MATCH_REQUIRED = Param(
    "If-Match", True, 'the ETag read, e.g. "3"; `*` for any version', _IF_MATCH_SCHEMA
)
IF_MATCH = Param("If-Match", False, 'the ETag read, e.g. "3"', _IF_MATCH_SCHEMA)
COMMAND_ERRORS = (400, 404, 408, 409, 412, 413, 415, 422, 503, 504)

REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted: the task was recorded and the command confirmed",
    400: "Malformed JSON or header; or, in plain text, a request line or header over 8 KiB",
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
    """Every model's schema generated together, so that component names are given once (the
    contracts name no two models alike: contracts/tests/test_asyncapi.py)."""
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
    "dead_letter_id": {"type": "string", "minLength": 1, "maxLength": 255},  # a message id
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
    for where, extra in (("query", op.query_params), ("header", op.headers)):
        for param in extra:
            params.append(
                {
                    "name": param.name,
                    "in": where,
                    "required": param.required,
                    "description": param.description,
                    "schema": param.schema,
                }
            )
    return params


JSON_SEQUENCES = ("application/x-ndjson", "application/jsonl")
TRACEPARENT_HEADER = {
    "description": "The W3C trace context of this request (its trace id is also the envelope's"
    " `trace.trace_id`): give it to an operator to follow the request across services",
    "required": True,
    "schema": {"type": "string", "pattern": "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"},
}


def _sse_event(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """One Server-Sent Event, as OpenAPI 3.2 describes a `text/event-stream` item. A 3.1
    document has no `itemSchema`, so this is the media type's `schema` and describes each event
    (the reading of 3.1 that schemathesis and Swagger UI share); the JSON `data` is described
    with JSON Schema's `contentMediaType` and `contentSchema`. Comment lines (heartbeats) are
    not events."""
    return {
        "type": "object",
        "required": ["event", "id", "data"],
        "properties": {
            "event": {"const": name},
            "id": {"type": "string", "description": "the time of the change sent (RFC 3339)"},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": data,
            },
        },
    }


PARSER_REFUSAL = {"text/plain": {"schema": {"type": "string"}}}


def _responses(op: Operation, result: dict[str, Any] | None) -> dict[str, Any]:
    result_name = _ref_name(result) if result else ""
    # 400 on every operation: HTTP's parser refuses a request line or header over 8 KiB
    # before the gateway sees it, in plain text and without a trace (`PARSER_REFUSAL`)
    codes = {*op.success, *op.errors, 400}
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
        description = REASONS.get(code, "")
        if ok and op.sse_event and result is not None:
            content = {op.media_type: {"schema": _sse_event(op.sse_event, result)}}
        elif ok and op.media_type in JSON_SEQUENCES and result is not None:
            # one `result` per line; `schema` is the whole read as an array (OpenAPI 3.2's
            # reading of a sequential media type, whose `itemSchema` 3.1 does not have)
            content = {op.media_type: {"schema": {"type": "array", "items": result}}}
            description = f"One `{result_name}` per line"
        elif ok and op.media_type != "application/json":
            binary = not op.media_type.startswith("text/")  # e.g. application/pdf
            schema = {"type": "string", "format": "binary"} if binary else {"type": "string"}
            content = {op.media_type: {"schema": schema}}
        headers = {"traceparent": {"$ref": "#/components/headers/Traceparent"}}
        if code == 400:
            content = {**content, **PARSER_REFUSAL}
            headers = {}  # the parser's refusal carries none
        responses[str(code)] = {"description": description, "content": content, "headers": headers}
    return responses


def _operation_id(method: str, path: str) -> str:
    words = path.strip("/").replace("{", "").replace("}", "").replace("/", "_")
    return f"{method}_{words}"


TASK_OPERATIONS = (
    ("ReadTask", "get", "/tasks/{task_id}"),
    ("StreamTask", "get", "/tasks/{task_id}/events"),
    ("CancelTask", "delete", "/tasks/{task_id}"),
)


def task_links(statuses: tuple[int, ...]) -> tuple[Link, ...]:
    """Every answer carrying a task (`result.task_id`) links to reading and cancelling it."""
    return tuple(
        Link(name, method, path, {"task_id": "$response.body#/result/task_id"}, statuses)
        for name, method, path in TASK_OPERATIONS
    )


def _add_links(responses: dict[str, Any], links: tuple[Link, ...]) -> None:
    for link in links:
        target = {
            "operationId": _operation_id(link.method, link.path),
            "parameters": link.parameters,
        }
        for status in link.statuses:
            responses[str(status)].setdefault("links", {})[link.name] = target


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
            "operationId": _operation_id(op.method, op.path),
            "parameters": _parameters(op, components),
            "responses": _responses(op, result),
        }
        carries_task = op.command or (
            op.media_type == "application/json"
            and op.result is not None
            and "task_id" in op.result.model_fields
        )
        _add_links(operation["responses"], (task_links(op.success) if carries_task else ()))
        _add_links(operation["responses"], op.links)
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
            "headers": {"Traceparent": TRACEPARENT_HEADER},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "x-apex-key"},
            },
        },
        "security": [{"bearer": []}, {"apiKey": []}],
    }
