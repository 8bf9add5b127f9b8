"""Answers of pure queries kept in Redis, so a repeated request costs no broker round trip.

An entry is `apex:cache:<query>:<sha256 of canonical request + version stamp>`, kept 1 h. The
stamp (the owning service's catalogue and code versions) is written by that service at
start-up to `apex:cache:<service>:version` (`signage` for `signage.*` queries); one Lua script
reads it and the entry together, so an answer computed by another version is never served. A
miss is computed by the service and stored under the versions its reply carries. Redis
unreachable or slow: the answer is computed, never failed. `Cache-Status` (RFC 9211) tells
the client which of these happened.
"""

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from apex_contracts import topology as t
from apex_runtime.redis_pool import RedisBusy

log = logging.getLogger(__name__)
LOOKUPS = Counter(
    "apex_gateway_answer_cache_total", "Answer cache lookups by outcome", ["query", "outcome"]
)

CACHE_NAME = "apex"  # the cache's name in Cache-Status
TTL_S = 3600
REDIS_TIMEOUT_S = 0.5  # slower than this counts as unavailable: the service answers instead
WARN_EVERY_S = 10.0
# The stamp is the JSON object of the reply's version fields (sorted keys, no spaces), so the
# gateway can rebuild it from any reply; a field a reply lacks is taken from the stamp read.
VERSION_FIELDS = ("catalogue_version", "code_version")

# KEYS: the version stamp, the entry under the stamp the caller expects (ARGV[1]).
# Returns {stamp or nil, entry or nil, seconds left}: the entry only when the stamp is current.
_LOOKUP = """
local stamp = redis.call('GET', KEYS[1])
if not stamp or stamp ~= ARGV[1] then return {stamp, false, -2} end
local entry = redis.call('GET', KEYS[2])
if not entry then return {stamp, false, -2} end
return {stamp, entry, redis.call('TTL', KEYS[2])}
"""


@dataclass(frozen=True)
class Cached:
    """A stored answer: the reply's JSON bytes (served as they are) and its assumptions."""

    result: bytes
    assumptions: list[str]

    def encode(self) -> bytes:
        # orjson never writes a raw newline, so the first one separates the two parts
        return orjson.dumps(self.assumptions) + b"\n" + self.result

    @classmethod
    def decode(cls, raw: bytes) -> "Cached":
        assumptions, _, result = raw.partition(b"\n")
        return cls(result, orjson.loads(assumptions))

    @classmethod
    def of_reply(cls, reply: dict[str, Any]) -> "Cached":
        return cls(orjson.dumps(reply), [str(a) for a in reply.get("assumptions", [])])


@dataclass(frozen=True)
class Lookup:
    """What the cache knows of one request: the stamp now current, and a stored answer."""

    stamp: bytes | None
    hit: Cached | None = None
    ttl_s: int = -2
    available: bool = True

    @property
    def status(self) -> str:
        """`Cache-Status` of a hit (misses are described by `AnswerCache.store`)."""
        return f"{CACHE_NAME}; hit; ttl={max(self.ttl_s, 0)}"


def canonical(request: dict[str, Any]) -> bytes:
    """The validated request as JSON with sorted keys and no spaces: equal requests, equal bytes."""
    return orjson.dumps(request, option=orjson.OPT_SORT_KEYS)


def entry_key(query: str, request: bytes, stamp: bytes) -> str:
    digest = hashlib.sha256(request + b"\n" + stamp).hexdigest()
    return f"{t.REDIS_CACHE_PREFIX}{query}:{digest}"


def version_key(query: str) -> str:
    """Where the service owning the query writes its version stamp."""
    return t.cache_version_key(query.split(".", 1)[0])


def reply_stamp(reply: dict[str, Any], current: bytes | None) -> bytes | None:
    """The stamp of the versions a reply was computed with; None when they are not all known."""
    versions: dict[str, Any] = {}
    if current is not None:
        try:
            versions = {k: v for k, v in orjson.loads(current).items() if k in VERSION_FIELDS}
        except (orjson.JSONDecodeError, AttributeError):
            versions = {}
    versions.update({k: reply[k] for k in VERSION_FIELDS if k in reply})
    if set(versions) != set(VERSION_FIELDS):
        return None
    return orjson.dumps(versions, option=orjson.OPT_SORT_KEYS)


class AnswerCache:
    """One per Redis client; remembers the stamps seen so a lookup is one round trip."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._lookup = redis.register_script(_LOOKUP)
        self._stamps: dict[str, bytes] = {}  # version key -> last stamp seen (a guess)
        self._warned_at = 0.0

    async def lookup(self, query: str, request: bytes) -> Lookup:
        """The stored answer to `request` under the current stamp, if any."""
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_S):
                found = await self._find(query, request)
        except (RedisError, RedisBusy, TimeoutError, OSError):
            self._unavailable(query)
            return Lookup(stamp=None, available=False)
        LOOKUPS.labels(query, "hit" if found.hit else "miss").inc()
        return found

    async def _find(self, query: str, request: bytes) -> Lookup:
        versions = version_key(query)
        stamp: bytes | None = None
        for _ in range(2):  # a second try only when the stamp changed since the last lookup
            expected = self._stamps.get(versions, b"")
            stamp, entry, ttl = await self._lookup(
                keys=[versions, entry_key(query, request, expected)], args=[expected]
            )
            if stamp is None:
                return Lookup(stamp=None)
            if stamp == expected:
                hit = Cached.decode(entry) if entry is not None else None
                return Lookup(stamp=stamp, hit=hit, ttl_s=int(ttl))
            self._stamps[versions] = stamp
        return Lookup(stamp=stamp)

    async def store(
        self, query: str, request: bytes, found: Lookup, answer: Cached, reply: dict[str, Any]
    ) -> str:
        """Keep a computed answer under the versions it was computed with; its `Cache-Status`."""
        if not found.available:
            return f"{CACHE_NAME}; fwd=bypass; detail=redis-unavailable"
        stamp = reply_stamp(reply, found.stamp)
        if stamp is None or found.stamp is None:
            # no stamp in Redis: no lookup could find the entry, so it is not written
            return f"{CACHE_NAME}; fwd=miss; detail=version-unknown"
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_S):
                await self.redis.set(entry_key(query, request, stamp), answer.encode(), ex=TTL_S)
        except (RedisError, RedisBusy, TimeoutError, OSError):
            self._unavailable(query)
            return f"{CACHE_NAME}; fwd=miss; detail=redis-unavailable"
        if stamp != found.stamp:  # another version answered than the one the stamp names
            return f"{CACHE_NAME}; fwd=miss; stored; detail=version-mismatch"
        return f"{CACHE_NAME}; fwd=miss; stored"

    def _unavailable(self, query: str) -> None:
        LOOKUPS.labels(query, "unavailable").inc()
        now = time.monotonic()
        if now - self._warned_at > WARN_EVERY_S:
            log.warning("answer cache unavailable: computing every answer", exc_info=True)
            self._warned_at = now


_CACHES: "WeakKeyDictionary[Redis, AnswerCache]" = WeakKeyDictionary()


def answer_cache(redis: Redis) -> AnswerCache:
    """The cache over this Redis client (one per gateway process)."""
    cache = _CACHES.get(redis)
    if cache is None:
        cache = _CACHES[redis] = AnswerCache(redis)
    return cache
