"""The door: who is calling, whether they may call now, and whether this is a retry."""

import hashlib
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from aiohttp import web
from aiohttp.typedefs import Middleware

from .admission import Admission, Decision
from .auth import Authenticator, Unauthorized
from .envelope import ApiError, respond
from .principal import PRINCIPAL, Principal

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PUBLIC_PATHS = frozenset({"/health", "/ready", "/version", "/metrics", "/openapi.json", "/docs"})
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REPLAYED_HEADERS = ("Content-Type", "Location", "ETag", "Preference-Applied")
NOT_STORED = frozenset({409, 429})  # answers about this attempt, not about the request


@dataclass(frozen=True)
class IdempotencyScope:
    """A request sent with `Idempotency-Key`: ids derived from it repeat on every retry."""

    principal: Principal
    key: str

    def derive(self, purpose: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"apex:{purpose}:{self.principal.bucket}:{self.key}")


IDEMPOTENCY = web.RequestKey("idempotency", IdempotencyScope)


def idempotency_of(request: web.Request) -> IdempotencyScope | None:
    return request.get(IDEMPOTENCY)


class TrustedProxies:
    def __init__(self, entries: list[str]) -> None:
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries]

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def client_ip(self, request: web.Request) -> str:
        """The peer address; `X-Forwarded-For` only counts when the peer is a trusted proxy."""
        peer = request.remote or "unknown"
        if not self.trusts(peer):
            return peer
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")]
        for hop in reversed([h for h in hops if h]):
            if not self.trusts(hop):
                return hop  # the nearest address no trusted proxy vouches for
        return peer


def _fingerprint(request: web.Request, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.rel_url}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def _too_many(admission: Admission, decision: Decision) -> web.Response:
    seconds = max(1, int(decision.retry_after_s + 0.999))
    headers = {**admission.headers(decision), "Retry-After": str(seconds)}
    message = f"rate limit of {admission.per_min} requests a minute reached; retry in {seconds} s"
    return respond(
        status=429,
        errors=[{"field": "", "message": message, "type": "rate_limited"}],
        headers=headers,
    )


def _idempotency_key(request: web.Request) -> str | None:
    if request.method not in MUTATING:
        return None
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise ApiError(
            400,
            "Idempotency-Key must be 1 to 255 printable characters",
            type="invalid",
            field="Idempotency-Key",
        )
    return key


def make_guard(
    authenticator: Authenticator, admission: Admission, proxies: TrustedProxies
) -> Middleware:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        public = request.path in PUBLIC_PATHS or request.path.startswith("/docs/")
        if public or request.method == "OPTIONS":
            return await handler(request)
        try:
            principal = await authenticator.authenticate(request)
        except Unauthorized as refused:
            decision = await admission.admit(f"ip:{proxies.client_ip(request)}")
            if not decision.allowed:
                return _too_many(admission, decision)
            challenge = refused.response()
            challenge.headers.update(admission.headers(decision))
            return challenge
        request[PRINCIPAL] = principal
        try:
            key = _idempotency_key(request)
        except ApiError as exc:
            return exc.response()
        fingerprint = _fingerprint(request, await request.read()) if key else ""
        decision = await admission.admit(principal.bucket, key, fingerprint)
        if not decision.allowed:
            return _too_many(admission, decision)
        limits = admission.headers(decision)
        response: web.StreamResponse
        if key is not None and decision.idempotency is not None:
            response = _answer_existing(decision.idempotency, fingerprint)
        elif key is not None:
            request[IDEMPOTENCY] = IdempotencyScope(principal, key)
            response = await _run_once(request, handler, admission, principal, key, fingerprint)
        else:
            response = await _run(request, handler)
        response.headers.update(limits)
        return response

    return guard


async def _run(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()


async def _run_once(
    request: web.Request,
    handler: Handler,
    admission: Admission,
    principal: Principal,
    key: str,
    fingerprint: str,
) -> web.StreamResponse:
    """Run the first request with a key; keep its final answer for the retries."""
    try:
        response = await _run(request, handler)
    except BaseException:
        await admission.forget(principal.bucket, key)
        raise
    final = isinstance(response, web.Response) and response.status < 500
    if not final or response.status in NOT_STORED:
        await admission.forget(principal.bucket, key)
        return response
    assert isinstance(response, web.Response)
    body = response.body if isinstance(response.body, bytes) else b""
    record: dict[str, object] = {
        "state": "done",
        "fingerprint": fingerprint,
        "status": response.status,
        "headers": {h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers},
        "body": body.decode(),
    }
    await admission.remember(principal.bucket, key, record)
    return response


def _answer_existing(record: dict[str, object], fingerprint: str) -> web.Response:
    if record.get("fingerprint") != fingerprint:
        return ApiError(
            422,
            "this Idempotency-Key was used with a different request",
            type="idempotency_mismatch",
            field="Idempotency-Key",
        ).response()
    if record.get("state") != "done":
        return ApiError(
            409,
            "a request with this Idempotency-Key is still in progress; retry later",
            type="idempotency_in_progress",
            field="Idempotency-Key",
        ).response()
    stored_headers = record.get("headers")
    headers = {str(k): str(v) for k, v in (stored_headers or {}).items()}  # type: ignore[attr-defined]
    headers["Idempotent-Replayed"] = "true"
    status = record.get("status")
    return web.Response(body=str(record["body"]).encode(), status=int(str(status)), headers=headers)
