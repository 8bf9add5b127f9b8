"""Who is calling: an account, a principal within it, and roles."""

from dataclasses import dataclass

from .envelope import ApiError

ROLES = ("viewer", "engineer", "admin")  # each includes the ones before it


@dataclass(frozen=True)
class Principal:
    account: str
    actor: str  # the JWT `sub`, or `key:<key id>` for an API key
    roles: frozenset[str]

    @property
    def bucket(self) -> str:
        """The rate-limit and idempotency scope: unique across accounts."""
        return f"{self.account}:{self.actor}"

    def has(self, role: str) -> bool:
        needed = ROLES.index(role)
        return any(r in ROLES and ROLES.index(r) >= needed for r in self.roles)

    def require(self, role: str) -> None:
        """403 unless the principal holds `role` or a role above it."""
        if not self.has(role):
            raise ApiError(403, f"this needs the {role} role", type="forbidden")
