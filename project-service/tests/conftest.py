"""The use cases' dependencies in memory (cosmicpython's fake unit of work), as fixtures."""

import copy
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

import pytest

from apex_contracts import projects as c
from apex_contracts.base import Message
from apex_projects.domain import Payload, Project, Submission
from apex_projects.store import Position
from apex_runtime.errors import NotFound
from apex_runtime.unit_of_work import Incoming


class InMemoryProjectStore:
    """`ProjectStore` over dicts; a savepoint restores them when its block raises."""

    def __init__(self) -> None:
        self.projects: dict[UUID, Project] = {}
        self.payloads: dict[UUID, list[Payload]] = {}
        self.submissions: dict[UUID, list[Submission]] = {}

    async def get(self, account: str, project_id: UUID, *, lock: bool = False) -> Project:
        stored = self.projects.get(project_id)
        if stored is None or stored.account != account or stored.status == "deleted":
            raise NotFound(f"project {project_id} not found")
        return replace(stored)  # a copy, as a row read is: nothing changes until `save`

    async def add_new(self, projects: Sequence[Project]) -> set[UUID]:
        new = set()
        for project in projects:
            if project.id not in self.projects:
                self.projects[project.id] = replace(project)
                new.add(project.id)
        return new

    async def by_ids(self, ids: Sequence[UUID]) -> dict[UUID, Project]:
        return {i: replace(self.projects[i]) for i in ids if i in self.projects}

    async def save(self, project: Project) -> None:
        self.projects[project.id] = replace(project)

    async def latest_payload(self, project_id: UUID) -> Payload | None:
        saved = self.payloads.get(project_id, [])
        return saved[-1] if saved else None

    async def add_payload(self, payload: Payload) -> None:
        self.payloads.setdefault(payload.project_id, []).append(payload)

    async def count_submissions(self, project_id: UUID) -> int:
        return len(self.submissions.get(project_id, []))

    async def add_submission(self, submission: Submission) -> None:
        self.submissions.setdefault(submission.project_id, []).append(submission)

    async def page(
        self, account: str, query: c.ListProjects, after: Position | None
    ) -> list[Project]:
        rows = sorted(
            (
                p
                for p in self.projects.values()
                if p.account == account
                and (p.status == query.status if query.status else p.status != "deleted")
                and (query.q is None or query.q.lower() in p.name.lower())
                and (after is None or (p.created_at, p.id) < after)
            ),
            key=lambda p: (p.created_at, p.id),
            reverse=True,
        )
        return rows[: query.limit + 1]

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        before = copy.deepcopy((self.projects, self.payloads, self.submissions))
        try:
            yield
        except BaseException:
            self.projects, self.payloads, self.submissions = before
            raise

    def reads(self) -> Any:
        @asynccontextmanager
        async def read() -> AsyncIterator["InMemoryProjectStore"]:
            yield self

        return read


@dataclass
class RecordedEvents:
    """`Events` that keep what was emitted: (routing key, event, aggregate id, whose message)."""

    events: list[tuple[str, Message, str | None, str]] = field(default_factory=list)
    actor: str = ""

    @contextmanager
    def handling(self, item: Incoming) -> Iterator[None]:
        self.actor = item.ctx.actor
        yield

    async def emit(self, routing_key: str, event: Message, aggregate_id: str | None = None) -> None:
        self.events.append((routing_key, event, aggregate_id, self.actor))

    def keys(self) -> list[str]:
        return [e[0] for e in self.events]


@dataclass
class RecordedTasks:
    created: list[tuple[str, str, str | None]] = field(default_factory=list)

    async def create(
        self, task_id: str, kind: str, account: str, owner: str, parent_id: str | None = None
    ) -> bool:
        self.created.append((task_id, kind, parent_id))
        return True


@pytest.fixture
def store() -> InMemoryProjectStore:
    return InMemoryProjectStore()


@pytest.fixture
def events() -> RecordedEvents:
    return RecordedEvents()


@pytest.fixture
def tasks() -> RecordedTasks:
    return RecordedTasks()
