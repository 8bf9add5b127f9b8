"""Who is calling. Until authentication lands every request acts as account `demo`, user `dev`."""

from dataclasses import dataclass

from aiohttp import web

from .envelope import ApiError

ROLE_ORDER = ("viewer", "engineer", "admin")


@dataclass(frozen=True)
class Principal:
    account: str
    actor: str
    roles: frozenset[str]

    def require(self, role: str) -> None:
        """403 unless the principal holds `role` or a role above it."""
        needed = ROLE_ORDER.index(role)
        if not any(r in ROLE_ORDER and ROLE_ORDER.index(r) >= needed for r in self.roles):
            raise ApiError(403, f"this needs the {role} role", type="forbidden")


DEVELOPMENT = Principal(account="demo", actor="dev", roles=frozenset({"admin"}))
PRINCIPAL_KEY = web.AppKey("principal", Principal)


def principal_of(request: web.Request) -> Principal:
    return request.get("principal", DEVELOPMENT)  # type: ignore[no-any-return]
