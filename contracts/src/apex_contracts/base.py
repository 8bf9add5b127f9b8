"""Base class of every message on the wire."""

from pydantic import BaseModel, ConfigDict


class Message(BaseModel):
    """A wire message: versioned, forward compatible (unknown fields are ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    schema_version: int = 1


class Strict(BaseModel):
    """A request body from outside: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)
