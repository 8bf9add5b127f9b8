"""The door: who is calling, whether they may call now, and whether this is a retry."""

import hashlib
import ipaddress
import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from .admission import Admission, Decision
from .auth import Authenticator, Unauthorized
from .call import ADMITS_IN_HANDLER, CALL, Call, Gate, IdempotencyScope, TurnedAway, turned_away
from .deps import deps_of
from .envelope import KEEPS_IDEMPOTENCY_KEY, ApiError, http_error, respond
from .openapi import IDEMPOTENCY_KEY_PATTERN
from .principal import Principal
from .security_events import SecurityEvents

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PUBLIC_PATHS = frozenset(
    {"/health", "/ready", "/version", "/metrics", "/openapi.json", "/docs"}
    | {"/asyncapi.yaml", "/asyncapi.json", "/console"}
)
PUBLIC_PREFIXES = ("/docs/", "/console/")  # pages' files; the pages' API calls carry credentials
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REPLAYED_HEADERS = ("Content-Type", "Location", "ETag", "Preference-Applied")
NOT_STORED = frozenset({409, 429})  # answers about this attempt, not about the request


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


_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def _idempotency_key(request: web.Request) -> str | None:
    if request.method not in MUTATING:
        return None
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiError.malformed_header(
            "Idempotency-Key", "Idempotency-Key must be 1 to 255 printable ASCII characters"
        )
    return key


def make_guard(
    authenticator: Authenticator,
    admission: Admission,
    proxies: TrustedProxies,
    security: SecurityEvents,
) -> Middleware:
    def too_many(
        request: web.Request, principal: Principal | None, bucket: str, decision: Decision
    ) -> web.Response:
        response = _too_many(admission, decision)
        retry_after = int(response.headers["Retry-After"])
        security.rate_limited(request, proxies.client_ip(request), principal, bucket, retry_after)
        return response

    def refusal(
        request: web.Request, principal: Principal, decision: Decision, fingerprint: str
    ) -> web.Response:
        """429, or the answer an earlier request with the same key decides."""
        if not decision.allowed:
            return too_many(request, principal, principal.bucket, decision)
        return _answer_from_record(admission, decision, fingerprint)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        public = request.path in PUBLIC_PATHS or request.path.startswith(PUBLIC_PREFIXES)
        if public or request.method == "OPTIONS":
            return await handler(request)
        try:
            principal = await authenticator.authenticate(request)
        except Unauthorized as refused:
            client_ip = proxies.client_ip(request)
            decision = await admission.admit(f"ip:{client_ip}")
            if not decision.allowed:
                return too_many(request, None, f"ip:{client_ip}", decision)
            security.auth_failed(request, client_ip, str(refused))
            challenge = refused.response()
            challenge.headers.update(admission.headers(decision))
            return challenge
        try:
            key = _idempotency_key(request)
        except ApiError as exc:
            return exc.response()
        fingerprint = _fingerprint(request, await request.read()) if key else ""
        gate = Gate(admission, principal.bucket, key, fingerprint)
        scope = IdempotencyScope(principal, key) if key is not None else None
        request[CALL] = Call(request, principal, deps_of(request), scope, gate)
        if not getattr(request.match_info.handler, ADMITS_IN_HANDLER, False):
            gate.decision = await admission.admit(principal.bucket, key, fingerprint)
            if turned_away(gate.decision):
                return refusal(request, principal, gate.decision, fingerprint)
        try:
            response = await _run(request, handler)
        except TurnedAway:
            assert gate.decision is not None
            return refusal(request, principal, gate.decision, fingerprint)
        except BaseException:
            if gate.claimed:
                await admission.forget(principal.bucket, key or "")
            raise
        if gate.decision is None:  # answered before its admission: count the request now
            gate.decision = await admission.admit(principal.bucket, key, fingerprint)
            if turned_away(gate.decision):
                return refusal(request, principal, gate.decision, fingerprint)
        if gate.claimed:
            await _keep_or_release(admission, principal.bucket, key or "", fingerprint, response)
        response.headers.update(admission.headers(gate.decision))
        return response

    return guard


async def _run(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The handler's answer, errors included, so that it gets the rate-limit fields too."""
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()
    except web.HTTPException as exc:  # unknown route, wrong method
        if exc.status < 400:
            raise
        return http_error(exc)


def _answer_from_record(admission: Admission, decision: Decision, fingerprint: str) -> web.Response:
    """The answer an earlier request with the same key decides: its replay, 409 or 422."""
    assert decision.idempotency is not None
    response = _answer_existing(decision.idempotency, fingerprint)
    response.headers.update(admission.headers(decision))
    return response


async def _keep_or_release(
    admission: Admission, bucket: str, key: str, fingerprint: str, response: web.StreamResponse
) -> None:
    """Keep the final answer of the first request with a key for its retries; release the key
    when there is no final answer yet (5xx, 409, 429), so that a retry may run. A 5xx marked
    final is kept (`outcome_unknown`: its command may still run, and a retry must not send a
    second one)."""
    final = isinstance(response, web.Response) and (
        response.status < 500 or response.get(KEEPS_IDEMPOTENCY_KEY, False)
    )
    if not final or response.status in NOT_STORED:
        await admission.forget(bucket, key)
        return
    assert isinstance(response, web.Response)
    body = response.body if isinstance(response.body, bytes) else b""
    record: dict[str, object] = {
        "state": "done",
        "fingerprint": fingerprint,
        "status": response.status,
        "headers": {h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers},
        "body": body.decode(),
    }
    await admission.remember(bucket, key, record)


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
