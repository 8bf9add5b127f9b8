"""Turning request parts into contract models, with errors as 4xx envelopes."""

import re
from typing import Any, TypeVar
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel, ValidationError

from apex_contracts import projects as c

from .deps import deps_of
from .envelope import ApiError, read_json
from .openapi import IF_MATCH_PATTERN, VERSION_ETAG_PATTERN

M = TypeVar("M", bound=BaseModel)
_IF_MATCH = re.compile(IF_MATCH_PATTERN)
_VERSION_ETAG = re.compile(VERSION_ETAG_PATTERN)


def _nul_at(data: Any, path: str = "") -> str | None:
    """The path of a string holding a NUL character (PostgreSQL cannot store one), if any."""
    if isinstance(data, str):
        return path if "\x00" in data else None
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        if isinstance(key, str) and "\x00" in key:
            return f"{path}.{key}".lstrip(".")
        found = _nul_at(value, f"{path}.{key}".lstrip("."))
        if found is not None:
            return found
    return None


def validated(model: type[M], data: Any, prefix: str = "") -> M:
    nul = _nul_at(data)
    if nul is not None:
        raise ApiError(
            422, "text must not contain NUL characters", type="invalid", field=prefix + nul
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError.invalid(exc, prefix) from exc


def path_uuid(request: web.Request, name: str, what: str) -> UUID:
    """A UUID path segment; anything else names nothing that exists (404)."""
    try:
        return UUID(request.match_info[name])
    except ValueError as exc:
        raise ApiError(404, f"{what} not found", type="not_found") from exc


def if_match_version(request: web.Request, *, required: bool) -> int | None:
    """The version an `If-Match` names; None for `*`. Missing and required is 428."""
    header = request.headers.get("If-Match")
    if header is None:
        if required:
            raise ApiError(
                428,
                "send If-Match with the ETag you read",
                type="precondition_required",
                field="If-Match",
            )
        return None
    header = header.strip()
    if not _IF_MATCH.fullmatch(header):
        raise ApiError.malformed_header(
            "If-Match", 'If-Match must be an entity tag such as "3", or *'
        )
    if header == "*":
        return None
    match = _VERSION_ETAG.fullmatch(header)
    if not match or int(match.group(1)) > c.MAX_VERSION:  # e.g. "0" or "abc": no version
        raise ApiError(
            412,
            "If-Match does not name a version of this project",
            type="version_conflict",
            field="If-Match",
        )
    return int(match.group(1))


async def body_as(request: web.Request, model: type[M]) -> M:
    """The JSON body validated against `model` (415, 408, 400 and 422 on the way)."""
    data = await read_json(request, deps_of(request).settings.body_timeout_s)
    return validated(model, data)
