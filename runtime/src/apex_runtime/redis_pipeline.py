"""Redis calls made in the same moment go to Redis together, as one pipeline.

redis-py sends each call on its own: a pool checkout with a readiness probe, a retry wrapper,
argument encoding in Python and a socket write, per call. At the gateway's rate that was a
fifth of its CPU (bench/README.md). Here calls queue while a batch is on the wire and go as
the next batch on a connection of the client's pool (checked out per batch, so redis-py's
readiness probe still guards it): one write, the replies read in order (what ioredis calls
auto-pipelining). Nothing waits to fill a batch: a call made when none is in flight goes at
once, alone.

A call's reply, or its error reply, reaches its caller only. A broken connection fails the
calls of its batch still unanswered with redis-py's `ConnectionError` or `TimeoutError` (both
`RedisError`, as a direct call raises), and the next batch connects again. A caller that stops
waiting (its client left) leaves its call to the batch, which reads and drops the reply. A
batch's calls are not a transaction; each is one atomic Redis command, as it would be alone.
"""

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any

import hiredis
from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError, NoScriptError, ResponseError

Pending = tuple[bytes, asyncio.Future[Any]]


@dataclass(frozen=True)
class Script:
    """A Lua script called by its SHA1; its source is sent only when Redis lacks it."""

    source: str
    sha: str

    @classmethod
    def of(cls, source: str) -> "Script":
        return cls(source, hashlib.sha1(source.encode()).hexdigest())


class AutoPipeline:
    def __init__(self, redis: Redis) -> None:
        self._pool = redis.connection_pool
        self._queued: list[Pending] = []
        self._sender: asyncio.Task[None] | None = None

    async def execute(self, *args: str | bytes | int | float) -> Any:
        """One Redis command; its reply as redis-py returns it undecoded (bytes, ints, lists)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queued.append((hiredis.pack_command(args), future))  # type: ignore[arg-type]  # its stub types a 1-tuple
        if self._sender is None:
            self._sender = asyncio.create_task(self._send_queued())
        return await future

    async def script(self, script: Script, keys: list[str], args: list[str | int | float]) -> Any:
        try:
            return await self.execute("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:  # Redis restarted or its script cache was flushed
            return await self.execute("EVAL", script.source, len(keys), *keys, *args)

    async def _send_queued(self) -> None:
        try:
            while self._queued:
                batch, self._queued = self._queued, []
                await self._send(batch)
        finally:
            self._sender = None

    async def _send(self, batch: list[Pending]) -> None:
        answered = 0
        connection: AbstractConnection | None = None
        try:
            connection = await self._pool.get_connection()  # type: ignore[no-untyped-call]
            await connection.send_packed_command(b"".join(p for p, _ in batch), False)
            for _, future in batch:
                try:
                    reply = await connection.read_response()
                except ResponseError as error:  # an error reply: the stream stays in step
                    _settle(future, error=error)
                else:
                    _settle(future, reply=reply)
                answered += 1
        except BaseException as exc:
            if connection is not None:  # its stream is out of step: never reuse it
                await connection.disconnect(nowait=True)
            failure = exc if isinstance(exc, Exception) else ConnectionError("cancelled")
            for _, future in batch[answered:]:
                _settle(future, error=failure)
            if not isinstance(exc, Exception):
                raise
        finally:
            if connection is not None:
                await self._pool.release(connection)


def _settle(
    future: asyncio.Future[Any], *, reply: Any = None, error: BaseException | None = None
) -> None:
    """Answer a caller, unless it stopped waiting."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(reply)
