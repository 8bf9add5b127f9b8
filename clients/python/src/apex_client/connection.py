"""A client of the gateway with the caller's credentials, and the error of an answer that failed."""

from typing import Any

import httpx

from .generated.client import AuthenticatedClient, Client
from .generated.models import Envelope
from .generated.types import Response

# Longer than the gateway's longest wait (`?wait=30`, `Prefer: wait=30`), so a long poll is
# answered by the gateway, not cut short here.
READ_TIMEOUT_S = 40.0
CONNECT_TIMEOUT_S = 10.0


def connect(
    base_url: str, *, token: str | None = None, api_key: str | None = None
) -> AuthenticatedClient | Client:
    """A client of the gateway at `base_url` sending a bearer `token` (a JWT) or an `api_key`."""
    timeout = httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
    base_url = base_url.rstrip("/")
    if token is not None:
        return AuthenticatedClient(base_url, token=token, timeout=timeout)
    headers = {} if api_key is None else {"x-apex-key": api_key}
    return Client(base_url, headers=headers, timeout=timeout)


class ApexError(Exception):
    """A gateway answer that was not a success: its status and the envelope's errors, each a
    dict of `field`, `message` and `type` (empty when the body was not an envelope)."""

    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        detail = "; ".join(str(error.get("message")) for error in errors) or "no detail"
        super().__init__(f"APEX gateway answered {status}: {detail}")
        self.status = status
        self.errors = errors

    @classmethod
    def from_response(cls, response: Response[Any]) -> "ApexError":
        parsed = response.parsed
        errors = parsed.to_dict()["errors"] if isinstance(parsed, Envelope) else []
        return cls(int(response.status_code), errors)
