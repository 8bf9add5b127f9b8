"""Runs a command handler as a task: STARTED, then SUCCESS or FAILURE, retries on crashes."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from faststream.message import StreamMessage
from pydantic import BaseModel

from apex_contracts import topology as t
from apex_contracts.tasks import ErrorCode, TaskState

from .errors import DomainError
from .status_store import StatusStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MessageContext:
    """Who sent a message and on whose behalf, read from its AMQP properties and headers."""

    message_id: str
    task_id: str | None
    account: str
    actor: str
    delivery_count: int

    @classmethod
    def of(cls, msg: StreamMessage[Any]) -> "MessageContext":
        headers = msg.headers or {}
        return cls(
            message_id=str(msg.message_id),
            task_id=msg.correlation_id or None,
            account=str(headers.get(t.HEADER_ACCOUNT, "")),
            actor=str(headers.get(t.HEADER_ACTOR, "")),
            delivery_count=int(headers.get("x-delivery-count", 0) or 0),
        )


Work = Callable[[MessageContext], Awaitable[BaseModel]]


class TaskRunner:
    """Reports a command's task through its life; the broker's ack follows the outcome."""

    def __init__(self, status: StatusStore, delivery_limit: int) -> None:
        self.status = status
        self.delivery_limit = delivery_limit

    async def run(self, msg: StreamMessage[Any], work: Work) -> None:
        ctx = MessageContext.of(msg)
        task_id = ctx.task_id
        if task_id:
            moved = await self.status.start(task_id)
            if not moved.applied and moved.previous is TaskState.REVOKED:
                log.info("task was cancelled; skipping", extra={"task_id": task_id})
                return
        try:
            result = await work(ctx)
        except DomainError as exc:
            if task_id:
                await self.status.fail(task_id, exc.code, exc.message)
            return
        except Exception as exc:
            log.exception("handler crashed", extra={"task_id": task_id})
            if task_id:
                if ctx.delivery_count + 1 >= self.delivery_limit:
                    await self.status.fail(
                        task_id, ErrorCode.INTERNAL, f"out of attempts: {exc!r}"[:500]
                    )
                else:
                    await self.status.retry(task_id, f"{type(exc).__name__}: {exc}"[:500])
            raise
        if task_id:
            await self.status.succeed(task_id, result.model_dump(mode="json"))
