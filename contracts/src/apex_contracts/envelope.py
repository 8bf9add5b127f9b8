"""The HTTP envelope every JSON response of the gateway uses (README, "Authentication,
accounts, limits, idempotency")."""

from typing import Any

from pydantic import BaseModel


class FieldError(BaseModel):
    field: str
    message: str
    type: str


class EnvelopeTrace(BaseModel):
    trace_id: str | None = None


class Envelope(BaseModel):
    result: Any = None
    errors: list[FieldError] = []
    assumptions: list[str] = []
    confidence: float = 1.0
    trace: EnvelopeTrace = EnvelopeTrace()
