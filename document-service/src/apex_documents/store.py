"""Reading and writing documents: PDF bytes by SHA-256, metadata scoped to an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from apex_contracts import documents as d
from apex_contracts import pagination
from apex_contracts.pagination import encode_cursor
from apex_runtime.errors import Invalid

from .tables import BLOBS, DOCUMENTS


@dataclass(frozen=True)
class NewDocument:
    document_id: str
    content: bytes
    account: str
    project_id: UUID
    submission_id: UUID
    submission_number: int
    project_name: str
    filename: str
    pages: int
    payload_sha256: str
    engineering: bool
    trace_id: str | None
    message_id: str
    created_at: datetime


def url_of(document_id: str) -> str:
    return f"/documents/{document_id}"


def view(row: RowMapping) -> d.DocumentView:
    return d.DocumentView(
        document_id=row["document_id"],
        account=row["account"],
        project_id=row["project_id"],
        submission_id=row["submission_id"],
        submission_number=row["submission_number"],
        project_name=row["project_name"],
        filename=row["filename"],
        pages=row["pages"],
        size_bytes=row["size_bytes"],
        payload_sha256=row["payload_sha256"],
        engineering=row["engineering"],
        trace_id=row["trace_id"],
        created_at=row["created_at"],
        url=url_of(row["document_id"]),
    )


async def by_submission(session: AsyncSession, submission_id: UUID) -> d.DocumentView | None:
    row = (
        (await session.execute(select(DOCUMENTS).where(DOCUMENTS.c.submission_id == submission_id)))
        .mappings()
        .first()
    )
    return view(row) if row else None


async def of_account(
    session: AsyncSession, account: str, document_id: str
) -> d.DocumentView | None:
    """A document of `account`; another account's document is None, as if it did not exist."""
    row = (
        (
            await session.execute(
                select(DOCUMENTS).where(
                    DOCUMENTS.c.document_id == document_id, DOCUMENTS.c.account == account
                )
            )
        )
        .mappings()
        .first()
    )
    return view(row) if row else None


async def add(session: AsyncSession, doc: NewDocument) -> bool:
    """Store the bytes once and the document once per submission; False if it existed."""
    await session.execute(
        insert(BLOBS)
        .values(
            sha256=doc.document_id,
            content=doc.content,
            size_bytes=len(doc.content),
            created_at=doc.created_at,
        )
        .on_conflict_do_nothing()
    )
    inserted = await session.execute(
        insert(DOCUMENTS)
        .values(
            document_id=doc.document_id,
            account=doc.account,
            project_id=doc.project_id,
            submission_id=doc.submission_id,
            submission_number=doc.submission_number,
            project_name=doc.project_name[:200],
            filename=doc.filename,
            pages=doc.pages,
            size_bytes=len(doc.content),
            payload_sha256=doc.payload_sha256,
            engineering=doc.engineering,
            trace_id=doc.trace_id,
            message_id=doc.message_id,
            created_at=doc.created_at,
        )
        .on_conflict_do_nothing()
        .returning(DOCUMENTS.c.document_id)
    )
    return inserted.first() is not None


async def content_slice(session: AsyncSession, document_id: str, offset: int, length: int) -> bytes:
    """Bytes [offset, offset + length) of a stored PDF, cut by PostgreSQL (1-based substring)."""
    part = (
        await session.execute(
            select(func.substring(BLOBS.c.content, offset + 1, length)).where(
                BLOBS.c.sha256 == document_id
            )
        )
    ).scalar_one()
    return bytes(part)


async def page_of_project(
    session: AsyncSession, account: str, project_id: UUID, limit: int, cursor: str | None
) -> d.DocumentPage:
    """Newest first, keyset pagination on (created_at, document_id)."""
    conditions: list[Any] = [DOCUMENTS.c.account == account, DOCUMENTS.c.project_id == project_id]
    if cursor:
        created_at, document_id = decode_cursor(cursor)
        conditions.append(
            or_(
                DOCUMENTS.c.created_at < created_at,
                and_(DOCUMENTS.c.created_at == created_at, DOCUMENTS.c.document_id < document_id),
            )
        )
    rows = (
        (
            await session.execute(
                select(DOCUMENTS)
                .where(*conditions)
                .order_by(DOCUMENTS.c.created_at.desc(), DOCUMENTS.c.document_id.desc())
                .limit(limit + 1)
            )
        )
        .mappings()
        .all()
    )
    items = [view(r) for r in rows[:limit]]
    more = len(rows) > limit
    last = items[-1] if items else None
    next_cursor = encode_cursor(last.created_at, last.document_id) if more and last else None
    return d.DocumentPage(items=items, next_cursor=next_cursor)


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The keyset position a cursor names; a damaged cursor is an `invalid` error."""
    try:
        return pagination.decode_cursor(cursor)
    except ValueError as exc:
        raise Invalid("cursor is not one this service issued") from exc
