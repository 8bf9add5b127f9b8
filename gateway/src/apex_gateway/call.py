"""One request as its handler sees it, and the declaration that ties a route to its operation.

The guard (`guard.py`) authenticates a request and builds its `Call` once: who is calling, the
gateway's dependencies, the request's idempotency scope and its admission. A route declares
its `Operation` once, with `Api.operation`: that registers the route, puts the operation in
the OpenAPI document, and makes the check of the role the operation names, so the document
and the check cannot disagree. The handler receives the `Call` as its one parameter.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from aiohttp import web

from apex_contracts.tasks import TaskRecord
from apex_runtime.ids import random_id, random_uuid
from apex_runtime.status_store import NewTask, StatusStore

from .admission import Admission, Decision
from .deps import Deps
from .envelope import ApiError, task_store_unavailable
from .openapi import Operation
from .principal import Principal

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class IdempotencyScope:
    """A request sent with `Idempotency-Key`: ids derived from it repeat on every retry."""

    principal: Principal
    key: str

    def derive(self, purpose: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"apex:{purpose}:{self.principal.bucket}:{self.key}")


def new_uuid(scope: IdempotencyScope | None, purpose: str) -> UUID:
    """The id a retry with the same Idempotency-Key names again, or a random one without a key.

    With a key the ids repeat on a retry, so services deduplicate it even when Redis lost the
    gateway's record of the first attempt.
    """
    return scope.derive(purpose) if scope else random_uuid()


def new_id(scope: IdempotencyScope | None, purpose: str) -> str:
    """`new_uuid` in its text form (made without a `UUID` object when there is no key)."""
    return str(scope.derive(purpose)) if scope else random_id()


class TurnedAway(Exception):
    """Admission said no (rate limit) or found an earlier request with the same key."""


@dataclass
class Gate:
    """A request's admission: one Redis step counts the request against the rate limit and,
    on a route that admits in its handler, does the request's first Redis work with it: a
    command's idempotency claim and task record (`admit`, from `accept()`), or the read of a
    task (`read`). Elsewhere the guard admits before the handler runs."""

    admission: Admission
    bucket: str
    key: str | None
    fingerprint: str
    decision: Decision | None = None

    async def admit(self, task: NewTask) -> None:
        self._once()
        self.decision = await self.admission.admit(self.bucket, self.key, self.fingerprint, task)
        if turned_away(self.decision):
            raise TurnedAway
        if self.decision.in_process:  # Redis is unreachable: no task could be recorded
            raise task_store_unavailable()

    async def read(self, status: StatusStore, task_id: str) -> TaskRecord | None:
        """Count the request and read the task; None if there is no such task."""
        self._once()
        self.decision, read = await self.admission.admit_read(self.bucket, task_id)
        if turned_away(self.decision):
            raise TurnedAway
        if read is None:  # Redis is unreachable
            raise task_store_unavailable()
        return await status.record_of(read.fields, read.child_ids)

    def _once(self) -> None:
        """A request is counted once: the guard's admission, or its handler's, never both."""
        if self.decision is not None:
            raise RuntimeError("admitted already: a route that admits in its handler says so")

    @property
    def claimed(self) -> bool:
        """This request holds its idempotency key (and must store or release it)."""
        d = self.decision
        return self.key is not None and d is not None and d.allowed and d.idempotency is None


def turned_away(decision: Decision) -> bool:
    return not decision.allowed or decision.idempotency is not None


@dataclass(frozen=True)
class Call:
    """An authenticated request, as the guard built it for the handler."""

    request: web.Request
    principal: Principal
    deps: Deps
    idempotency: IdempotencyScope | None
    gate: Gate


CALL = web.RequestKey("call", Call)
CallHandler = Callable[[Call], Awaitable[web.StreamResponse]]
# On a route's aiohttp handler: its admission is the handler's (`Gate.admit` or `Gate.read`)
ADMITS_IN_HANDLER = "_apex_admits_in_handler"


class Api:
    """A route module's routes and their operations, each declared once."""

    def __init__(self) -> None:
        self.routes = web.RouteTableDef()
        self.operations: list[Operation] = []

    def operation(
        self, op: Operation, *, admits_in_handler: bool = False
    ) -> Callable[[CallHandler], CallHandler]:
        """Serve `op` (which names a role) with the decorated handler.

        `admits_in_handler`: the handler's first Redis work counts the request too (`accept()`
        for a command, `Gate.read` for a task); whatever it does before must be free of
        effects (parsing, validation), because a request refused there was already looked at.
        """
        if op.role is None:
            raise ValueError(f"{op.method} {op.path}: use Api.public for an operation anyone calls")
        role = op.role

        def register(handler: CallHandler) -> CallHandler:
            async def serve(request: web.Request) -> web.StreamResponse:
                call = request.get(CALL)
                if call is None:  # a path the guard let through unauthenticated: fail closed
                    raise ApiError(401, "authentication required", type="unauthorized")
                call.principal.require(role)
                return await handler(call)

            setattr(serve, ADMITS_IN_HANDLER, admits_in_handler)
            self._add(op, serve)
            return handler

        return register

    def public(self, op: Operation) -> Callable[[Handler], Handler]:
        """Serve `op`, which needs no credentials, with a plain aiohttp handler."""
        if op.role is not None:
            raise ValueError(f"{op.method} {op.path} needs {op.role}: use Api.operation")

        def register(handler: Handler) -> Handler:
            self._add(op, handler)
            return handler

        return register

    def _add(self, op: Operation, handler: Handler) -> None:
        self.routes.route(op.method.upper(), op.path)(handler)
        self.operations.append(op)
