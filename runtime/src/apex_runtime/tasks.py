"""Runs a message handler as a task: STARTED, then SUCCESS, RETRY with back-off, or FAILURE."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aio_pika.abc import AbstractIncomingMessage
from faststream.message import StreamMessage
from pydantic import BaseModel

from apex_contracts import topology as t
from apex_contracts.tasks import ErrorCode, TaskState

from . import message_metrics as metrics
from .availability import is_unavailable
from .dead_letters import dead_letter
from .errors import DomainError
from .redis_pool import REDIS_UNAVAILABLE
from .retry import attempt_of, schedule_retry
from .status_store import StatusStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MessageContext:
    """Who sent a message and on whose behalf, read from its AMQP properties and headers."""

    message_id: str
    task_id: str | None
    account: str
    actor: str
    attempt: int

    @classmethod
    def of(cls, msg: StreamMessage[Any]) -> "MessageContext":
        return cls.of_delivery(msg.raw_message)

    @classmethod
    def of_delivery(cls, raw: AbstractIncomingMessage) -> "MessageContext":
        headers = raw.headers or {}
        return cls(
            message_id=str(raw.message_id),
            task_id=raw.correlation_id or None,
            account=str(headers.get(t.HEADER_ACCOUNT, "")),
            actor=str(headers.get(t.HEADER_ACTOR, "")),
            attempt=attempt_of(raw),
        )


@dataclass(frozen=True)
class AwaitChildren:
    """A handler's answer whose task ends only when its child tasks do (the parent settles)."""

    result: BaseModel


Work = Callable[[MessageContext], Awaitable[BaseModel | AwaitChildren]]


class TaskRunner:
    """Reports one queue's messages as tasks; every outcome ends in an ack.

    A domain refusal fails the task at once; any other exception schedules a delayed retry
    (RETRY with `next_attempt_at`) until `max_attempts`, then FAILURE and `apex.dead`.
    The task store counts each transition under the task's kind (`message_metrics`).
    """

    def __init__(
        self,
        status: StatusStore,
        queue: str,
        max_attempts: int,
        backlog: "ReportBacklog",
    ) -> None:
        self.status = status
        self.queue = queue
        self.max_attempts = max_attempts
        self.backlog = backlog

    async def run(self, msg: StreamMessage[Any], work: Work, *, task_id: str | None = None) -> None:
        ctx = MessageContext.of(msg)
        task_id = task_id or ctx.task_id
        if task_id:
            moved = await self.backlog.report(self.status.start, task_id)
            if moved and not moved.applied and moved.previous is TaskState.REVOKED:
                log.info("task was cancelled; skipping", extra={"task_id": task_id})
                metrics.note(metrics.CANCELLED)
                return
        try:
            outcome = await work(ctx)
        except DomainError as exc:
            metrics.note(metrics.DOMAIN_FAILURE)
            if task_id:
                await self.backlog.report(self.status.fail, task_id, exc.code, exc.message)
            return
        except Exception as exc:
            await self.failed(msg.raw_message, ctx, task_id, exc)
            return
        if not task_id:
            return
        if isinstance(outcome, AwaitChildren):
            result = outcome.result.model_dump(mode="json")
            await self.backlog.report(self.status.keep_running, task_id, result)
        else:
            result = outcome.model_dump(mode="json")
            await self.backlog.report(self.status.succeed, task_id, result)

    async def failed(
        self,
        raw: AbstractIncomingMessage,
        ctx: MessageContext,
        task_id: str | None,
        exc: Exception,
    ) -> str:
        """A message's handling raised: retry later, or dead-letter it when out of attempts.
        Returns the outcome (`message_metrics.RETRY` or `DEAD_LETTERED`)."""
        reason = f"{type(exc).__name__}: {exc}"[:500]
        if is_unavailable(exc):
            # A dependency is down, not this message's fault: wait for it without spending
            # attempts (back-off capped at 30 s), so nothing fails while PostgreSQL restarts.
            log.warning("dependency unavailable; retrying later: %s", reason)
            next_at = await schedule_retry(raw, self.queue, 3, count=False)  # 4 s, every time
            if task_id:
                await self.backlog.report(self.status.retry, task_id, reason, next_at)
            return metrics.RETRY
        if ctx.attempt >= self.max_attempts:
            log.exception("out of attempts; dead-lettering", extra={"task_id": task_id})
            await dead_letter(
                raw,
                f"out of attempts ({ctx.attempt}): {reason}",
                self.status,
                queue=self.queue,
                code=ErrorCode.INTERNAL,
                task_id=task_id,
            )
            return metrics.DEAD_LETTERED
        log.warning("attempt %d failed; retrying", ctx.attempt, exc_info=True)
        next_at = await schedule_retry(raw, self.queue, ctx.attempt)
        if task_id:
            await self.backlog.report(self.status.retry, task_id, reason, next_at)
        return metrics.RETRY


class ReportBacklog:
    """Task-state writes that failed because Redis was down, replayed in order once it is back.

    The message's effect has committed by then; only its report waits, so no service stops.
    """

    def __init__(self, retry_every_s: float = 1.0) -> None:
        self.retry_every_s = retry_every_s
        self._pending: list[tuple[Callable[..., Awaitable[Any]], tuple[Any, ...]]] = []

    async def report(self, call: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        if self._pending:  # keep order behind earlier reports still waiting
            self._pending.append((call, args))
            return None
        try:
            return await call(*args)
        except REDIS_UNAVAILABLE:
            log.warning("task store unreachable or busy; the report waits for it")
            self._pending.append((call, args))
            return None

    def __len__(self) -> int:
        return len(self._pending)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.retry_every_s)
            while self._pending:
                call, args = self._pending[0]
                try:
                    await call(*args)
                except REDIS_UNAVAILABLE:
                    break
                self._pending.pop(0)
