"""Where projects are kept: every SQL statement of project-service, behind `ProjectStore`.

`SqlProjectStore` works in the session it is given (a command batch's transaction, or a
query's read); the use cases see only the protocol, so their unit tests run over the
in-memory store in `tests/`.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from apex_contracts import pagination
from apex_contracts import projects as c
from apex_runtime.errors import Invalid, NotFound

from . import tables
from .domain import Payload, Project, Submission

PROJECTS = tables.Project.__table__  # type: ignore[attr-defined]
PAYLOADS = tables.PayloadSnapshot.__table__  # type: ignore[attr-defined]
SUBMISSIONS = tables.Submission.__table__  # type: ignore[attr-defined]

Position = tuple[datetime, UUID]  # a page's keyset position: (created_at, id) of its last row


class ProjectStore(Protocol):
    async def get(self, account: str, project_id: UUID, *, lock: bool = False) -> Project:
        """A live project of this account (another account's does not exist), or `NotFound`;
        `lock` holds its row until the transaction ends."""

    async def add_new(self, projects: Sequence[Project]) -> set[UUID]:
        """Insert the projects whose id is free; the ids inserted."""

    async def by_ids(self, ids: Sequence[UUID]) -> dict[UUID, Project]:
        """Projects by id, of any account and status (to answer a create sent again)."""

    async def save(self, project: Project) -> None: ...

    async def latest_payload(self, project_id: UUID) -> Payload | None: ...

    async def add_payload(self, payload: Payload) -> None: ...

    async def count_submissions(self, project_id: UUID) -> int: ...

    async def add_submission(self, submission: Submission) -> None: ...

    async def page(
        self, account: str, query: c.ListProjects, after: Position | None
    ) -> list[Project]:
        """Up to `query.limit + 1` projects after `after`, newest first (the one more says
        whether another page follows)."""

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """What is written inside is undone if the block raises."""


class SqlProjectStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, account: str, project_id: UUID, *, lock: bool = False) -> Project:
        query = select(PROJECTS).where(
            PROJECTS.c.id == project_id,
            PROJECTS.c.account == account,
            PROJECTS.c.status != "deleted",
        )
        if lock:
            query = query.with_for_update()
        row = (await self.session.execute(query)).mappings().one_or_none()
        if row is None:
            raise NotFound(f"project {project_id} not found")
        return Project(**row)

    async def add_new(self, projects: Sequence[Project]) -> set[UUID]:
        # one cached statement, sent as one multi-row INSERT
        statement = (
            insert(PROJECTS)
            .on_conflict_do_nothing(index_elements=[PROJECTS.c.id])
            .returning(PROJECTS.c.id)
        )
        inserted = await self.session.execute(statement, [_row(p) for p in projects])
        return {row[0] for row in inserted}

    async def by_ids(self, ids: Sequence[UUID]) -> dict[UUID, Project]:
        rows = await self.session.execute(select(PROJECTS).where(PROJECTS.c.id.in_(ids)))
        return {row["id"]: Project(**row) for row in rows.mappings()}

    async def save(self, project: Project) -> None:
        fields = _row(project)
        del fields["id"]
        await self.session.execute(
            update(PROJECTS).where(PROJECTS.c.id == project.id).values(**fields)
        )

    async def latest_payload(self, project_id: UUID) -> Payload | None:
        row = (
            (
                await self.session.execute(
                    select(PAYLOADS)
                    .where(PAYLOADS.c.project_id == project_id)
                    .order_by(PAYLOADS.c.payload_version.desc())
                    .limit(1)
                )
            )
            .mappings()
            .one_or_none()
        )
        return Payload(**row) if row is not None else None

    async def add_payload(self, payload: Payload) -> None:
        await self.session.execute(insert(PAYLOADS).values(**_row(payload)))

    async def count_submissions(self, project_id: UUID) -> int:
        count = select(func.count()).where(SUBMISSIONS.c.project_id == project_id)
        return int((await self.session.execute(count)).scalar_one())

    async def add_submission(self, submission: Submission) -> None:
        await self.session.execute(insert(SUBMISSIONS).values(**_row(submission)))

    async def page(
        self, account: str, query: c.ListProjects, after: Position | None
    ) -> list[Project]:
        conditions = [
            PROJECTS.c.account == account,
            PROJECTS.c.status == query.status if query.status else PROJECTS.c.status != "deleted",
        ]
        if query.q:
            conditions.append(PROJECTS.c.name.ilike(like_pattern(query.q)))
        if after is not None:
            created_at, project_id = after
            conditions.append(
                or_(
                    PROJECTS.c.created_at < created_at,
                    and_(PROJECTS.c.created_at == created_at, PROJECTS.c.id < project_id),
                )
            )
        statement = (
            select(PROJECTS)
            .where(*conditions)
            .order_by(PROJECTS.c.created_at.desc(), PROJECTS.c.id.desc())
            .limit(query.limit + 1)
        )
        rows = await self.session.execute(statement)
        return [Project(**row) for row in rows.mappings()]

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        async with self.session.begin_nested():
            yield


def reads(sessions: async_sessionmaker[AsyncSession]) -> "Reads":
    """A store over a session of its own, for each query."""

    @asynccontextmanager
    async def read() -> AsyncIterator[ProjectStore]:
        async with sessions() as session:
            yield SqlProjectStore(session)

    return read


class Reads(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[ProjectStore]: ...


def encode_cursor(position: Position) -> str:
    created_at, project_id = position
    return pagination.encode_cursor(created_at, str(project_id))


def decode_cursor(cursor: str) -> Position:
    """The keyset position a cursor names; a damaged cursor is an `invalid` error."""
    try:
        created_at, project_id = pagination.decode_cursor(cursor)
        return created_at, UUID(project_id)
    except ValueError as exc:
        raise Invalid("cursor is not one this service issued") from exc


def like_pattern(q: str) -> str:
    """A case-insensitive substring pattern with LIKE's wildcards escaped."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _row(record: Project | Payload | Submission) -> dict[str, Any]:
    """A record's columns (the dataclasses' fields are the tables' columns, by name)."""
    return dict(vars(record))
