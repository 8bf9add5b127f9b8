"""Authentication: a bearer JWT (algorithm pinned by configuration) or an API key."""

import time
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web

from apex_runtime.settings import Settings

from .envelope import ApiError
from .keys import ApiKeyStore
from .principal import ROLES, Principal

REQUIRED_CLAIMS = ["exp", "sub", "iss", "aud"]
VERIFIED_CACHE_SIZE = 10_000  # tokens whose signature and claims were checked, until they expire


class Unauthorized(ApiError):
    """401 with a `WWW-Authenticate` challenge (RFC 6750)."""

    def __init__(self, message: str) -> None:
        challenge = f'Bearer realm="apex", error="invalid_token", error_description="{message}"'
        super().__init__(401, message, type="unauthorized", headers={"WWW-Authenticate": challenge})


def _pem(value: str) -> str:
    return Path(value).read_text() if not value.lstrip().startswith("-----") else value


class TokenVerifier:
    """Verifies JWTs with exactly one configured algorithm; `none` and mix-ups are refused."""

    def __init__(self, settings: Settings) -> None:
        self.algorithm = settings.jwt_algorithm
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self._jwks: jwt.PyJWKSet | None = None
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._key: Any
        if self.algorithm == "HS256":
            self._key = settings.jwt_secret.get_secret_value()
        elif settings.jwt_jwks_file:
            self._jwks = jwt.PyJWKSet.from_json(Path(settings.jwt_jwks_file).read_text())
        elif settings.jwt_public_key:
            self._key = _pem(settings.jwt_public_key)
        else:
            raise ValueError(f"{self.algorithm} needs APEX_JWT_PUBLIC_KEY or APEX_JWT_JWKS_FILE")

    def _key_for(self, token: str) -> Any:
        if self._jwks is None:
            return self._key
        kid = jwt.get_unverified_header(token).get("kid")
        for key in self._jwks.keys:
            if key.key_id == kid:
                return key.key
        raise Unauthorized("unknown signing key")

    def verify(self, token: str) -> Principal:
        """The token's principal; a token verified before is answered from memory until `exp`."""
        cached = self._verified.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        principal, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.pop(next(iter(self._verified)))  # the oldest entry
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(
                token,
                self._key_for(token),
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("token expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthorized("token not valid yet") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"invalid token: {exc}") from exc
        account, roles = claims.get("account"), claims.get("roles", [])
        if not isinstance(account, str) or not account:
            raise Unauthorized("token has no account claim")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthorized("roles claim must be a list of strings")
        principal = Principal(
            account, str(claims["sub"]), frozenset(r for r in roles if r in ROLES)
        )
        return principal, float(claims["exp"])


class Authenticator:
    def __init__(self, tokens: TokenVerifier, keys: ApiKeyStore) -> None:
        self.tokens = tokens
        self.keys = keys

    async def authenticate(self, request: web.Request) -> Principal:
        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("use Authorization: Bearer <token>")
            return self.tokens.verify(token.strip())
        presented = request.headers.get("x-apex-key")
        if presented is not None:
            principal = await self.keys.principal(presented.strip())
            if principal is None:
                raise Unauthorized("unknown or revoked API key")
            return principal
        raise Unauthorized("credentials required: a bearer token or an x-apex-key")


def mint_token(
    settings: Settings, account: str, sub: str, roles: list[str], ttl_s: int = 3600
) -> str:
    """An HS256 token from the configured secret (development, tests, scripts)."""
    now = int(time.time())
    claims = {
        "sub": sub,
        "account": account,
        "roles": roles,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_s,
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
