"""Base class of every message on the wire."""

import re
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict


class Message(BaseModel):
    """A wire message: versioned, forward compatible (unknown fields are ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    schema_version: int = 1


class Strict(BaseModel):
    """A request body from outside, and every block nested in one: an unknown member is an
    error naming it (422), never silently dropped, and nothing is coerced ("20" is not a
    number, 1 is not true). The OpenAPI document says so with `additionalProperties: false`.
    Free-form maps (a payload's `config`) are typed `dict[str, Any]` and say so too."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def example(body: dict[str, Any]) -> ConfigDict:
    """A request model's config with one example body: the OpenAPI document shows it (and
    `/docs` fills "Try it out" with it); tests/e2e/test_openapi.py sends each one."""
    return ConfigDict(json_schema_extra={"examples": [body]})


_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)")


def _rfc3339_text(value: Any) -> Any:
    """Text must be an RFC 3339 date-time, as the documents say (`format: date-time`):
    pydantic alone would also read "0.5" as a Unix time and "2026-12-01T00:00" as local."""
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2026-12-01T00:00:00Z")
    return value


Rfc3339 = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text)]
"""A time a client writes (a query's `since`), read only from RFC 3339 text."""
