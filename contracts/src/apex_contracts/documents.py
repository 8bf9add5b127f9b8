"""Calculation-package documents: queries, replies and events (owned by document-service).

A document is one rendered PDF; its id is the SHA-256 of its bytes (lowercase hex), so the
id names the content and a client can verify what it downloaded.
"""

from datetime import datetime
from typing import Annotated, Final, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from .base import Message, example
from .pagination import Cursor

DOCUMENT_ID_PATTERN: Final = r"^[0-9a-f]{64}$"
PDF: Final = "application/pdf"
# A query reply carries at most this many bytes of content (base64 makes it a third larger).
CONTENT_MAX_BYTES: Final = 8 * 1024 * 1024

DocumentId = Annotated[str, StringConstraints(pattern=DOCUMENT_ID_PATTERN)]


# Queries ----------------------------------------------------------------------------------


class GetDocument(Message):
    """`document.get`: a document's metadata (another account's document does not exist)."""

    model_config = example(
        {"document_id": "d605449e76cb7d4bdd5c36b67f7fc97ce6238bb400060e36fd8591bdf94f48ee"}
    )

    document_id: DocumentId


class DocumentPageQuery(Message):
    """The query string of `GET /projects/{id}/documents`."""

    limit: int = Field(default=50, ge=1, le=500)
    cursor: Cursor | None = None


class ListDocuments(DocumentPageQuery):
    """`document.list`: a project's documents, newest first (keyset pagination)."""

    model_config = example({"project_id": "3f6c2a8e-5b1d-4c7a-9e2f-8a1b6d4c0e93", "limit": 20})

    project_id: UUID


class GetDocumentContent(Message):
    """`document.get_content`: the PDF bytes, base64, when they fit in `max_bytes`.

    A larger document answers with its size and `url` only (no content), unless `chunked`
    is set: then the reply holds the bytes from `offset`, at most `max_bytes` of them, and
    `next_offset` says where the next chunk starts.
    """

    model_config = example(
        {
            "document_id": "d605449e76cb7d4bdd5c36b67f7fc97ce6238bb400060e36fd8591bdf94f48ee",
            "max_bytes": 1048576,
            "offset": 0,
            "chunked": True,
        }
    )

    document_id: DocumentId
    max_bytes: int = Field(default=CONTENT_MAX_BYTES, ge=1, le=CONTENT_MAX_BYTES)
    offset: int = Field(default=0, ge=0)
    chunked: bool = False


# Replies ----------------------------------------------------------------------------------


class DocumentView(Message):
    document_id: str  # SHA-256 of the PDF bytes, also its HTTP ETag
    account: str
    project_id: UUID
    submission_id: UUID
    submission_number: int
    project_name: str
    filename: str  # safe for Content-Disposition: [A-Za-z0-9._-] only
    content_type: Literal["application/pdf"] = PDF
    pages: int
    size_bytes: int
    payload_sha256: str  # the design payload the package was rendered from
    engineering: bool  # False: signage-service gave no results; the package shows the payload
    trace_id: str | None
    created_at: datetime
    url: str  # the gateway path that serves the PDF: /documents/{document_id}


class DocumentPage(Message):
    items: list[DocumentView]
    next_cursor: str | None


class DocumentContent(Message):
    document: DocumentView
    content_b64: str | None  # None: over max_bytes and not chunked; fetch `document.url`
    offset: int = 0
    length: int = 0  # bytes in content_b64
    next_offset: int | None = None  # chunked reads: where the next chunk starts


# Events -----------------------------------------------------------------------------------


class DocumentRendered(Message):
    """`document.rendered`: a submission's calculation package is stored and can be fetched.

    notification-service emails it to `pm_email`, reporting on `email_task_id`, and fetches the
    bytes with `document.get_content`.
    """

    model_config = example(
        {
            "document_id": "d605449e76cb7d4bdd5c36b67f7fc97ce6238bb400060e36fd8591bdf94f48ee",
            "project_id": "3f6c2a8e-5b1d-4c7a-9e2f-8a1b6d4c0e93",
            "submission_id": "b7e4d1a2-9c3f-4e8b-a6d5-2f1c0e9b8a74",
            "account": "demo",
            "actor": "dev",
            "occurred_at": "2026-12-01T14:00:05Z",
            "pages": 12,
            "size_bytes": 184320,
            "filename": "calculation-package-main-st-pylon-s1.pdf",
            "content_type": "application/pdf",
            "url": "/documents/d605449e76cb7d4bdd5c36b67f7fc97ce6238bb400060e36fd8591bdf94f48ee",
            "project_name": "Main St pylon",
            "customer": "Acme Signs",
            "pm_email": "pm@acme-signs.example",
            "submission_number": 1,
            "submitted_by": "dev",
            "payload_sha256": "fabd96d89e88595a24f9f5c80ba2c404725961d52edee1f426c4fee6776a317b",
            "engineering": True,
            "email_task_id": "7d4b1f8e-3a6c-5d2b-8e9f-4c1a7b0d5e36",
            "render_task_id": "0a9e3c5f-2b7d-5e1a-9c4f-6b8d2e0a7f13",
            "parent_task_id": "8c1f4e2b-7a9d-4b3e-8f6c-1d5a0e7b9c24",
        }
    )

    document_id: str
    project_id: UUID
    submission_id: UUID
    account: str
    actor: str
    occurred_at: datetime
    pages: int
    size_bytes: int
    filename: str
    content_type: Literal["application/pdf"] = PDF
    url: str
    project_name: str
    customer: str
    pm_email: str | None
    submission_number: int
    submitted_by: str
    payload_sha256: str
    engineering: bool
    email_task_id: str | None = None  # the submission's `tasks.email_pm`
    render_task_id: str | None = None  # the submission's `tasks.render_document`
    parent_task_id: str | None = None  # the submission task
