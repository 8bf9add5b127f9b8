"""API keys: `apex_<key id>_<secret>`, stored only as an HMAC-SHA256 of the secret."""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from apex_runtime.db import MigrationSet

from .principal import ROLES, Principal

SCHEMA = "gateway"
MIGRATIONS = MigrationSet(package="apex_gateway", schema=SCHEMA)
PREFIX = "apex"
CACHE_S = 10.0  # a revoked key stops working within this long on every gateway process

metadata = MetaData()
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("secret_hash", String(64), nullable=False),
    Column("account", String(100), nullable=False),
    Column("name", String(200), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    schema=SCHEMA,
)


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    account: str
    name: str
    roles: list[str]
    created_at: datetime
    revoked_at: datetime | None


def split_key(presented: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, else None."""
    parts = presented.split("_")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


class ApiKeyStore:
    def __init__(self, engine: AsyncEngine, pepper: str) -> None:
        self.engine = engine
        self.pepper = pepper.encode()
        self._cache: dict[str, tuple[float, tuple[str, Principal] | None]] = {}

    def digest(self, secret: str) -> str:
        return hmac.new(self.pepper, secret.encode(), hashlib.sha256).hexdigest()

    async def create(self, account: str, name: str, roles: list[str]) -> tuple[str, KeyRecord]:
        """A new key; the full key is returned once and never stored."""
        unknown = set(roles) - set(ROLES)
        if unknown or not roles:
            raise ValueError(f"roles must be among {', '.join(ROLES)}")
        key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32).replace("_", "-")
        now = datetime.now(UTC)
        async with self.engine.begin() as conn:
            await conn.execute(
                api_keys.insert().values(
                    key_id=key_id,
                    secret_hash=self.digest(secret),
                    account=account,
                    name=name,
                    roles=sorted(roles),
                    created_at=now,
                )
            )
        return f"{PREFIX}_{key_id}_{secret}", KeyRecord(key_id, account, name, roles, now, None)

    async def list(self, account: str | None = None) -> list[KeyRecord]:
        query = select(api_keys).order_by(api_keys.c.created_at)
        if account:
            query = query.where(api_keys.c.account == account)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            KeyRecord(r.key_id, r.account, r.name, list(r.roles), r.created_at, r.revoked_at)
            for r in rows
        ]

    async def revoke(self, key_id: str) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        self._cache.pop(key_id, None)
        return bool(result.rowcount)

    async def principal(self, presented: str) -> Principal | None:
        """The principal a presented key stands for, or None (unknown, wrong or revoked)."""
        parts = split_key(presented)
        if parts is None:
            return None
        key_id, secret = parts
        entry = await self._lookup(key_id)
        if entry is None:
            return None
        expected, principal = entry
        if not hmac.compare_digest(expected, self.digest(secret)):
            return None
        return principal

    async def _lookup(self, key_id: str) -> tuple[str, Principal] | None:
        cached = self._cache.get(key_id)
        now = time.monotonic()
        if cached and now - cached[0] < CACHE_S:
            return cached[1]
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(api_keys).where(
                        api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None)
                    )
                )
            ).first()
        entry = None
        if row is not None:
            principal = Principal(row.account, f"key:{row.key_id}", frozenset(row.roles))
            entry = (row.secret_hash, principal)
        self._cache[key_id] = (now, entry)
        return entry
