"""Project commands, queries, replies and events (owned by project-service)."""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, EmailStr, Field, StringConstraints

from .base import Message, Strict, example
from .pagination import Cursor
from .signage import SINGLE_POLE_EXAMPLE

# Example data the examples below share: one project, as `ProjectView` shows it.
_PROJECT_ID = "3f6c2a8e-5b1d-4c7a-9e2f-8a1b6d4c0e93"
_NOTES = "Replaces the 1998 sign; cabinet enlarged to 10 x 5 ft"
_SITE = {"address": "100 Main St, Springfield", "wind_speed_mph": 115, "exposure": "C"}


def _project_example(**changes: Any) -> dict[str, Any]:
    """`ProjectView` of the example project, with `changes`."""
    return {
        "project_id": _PROJECT_ID,
        "account": "demo",
        "name": "Main St pylon",
        "customer": "Acme Signs",
        "pm_email": "pm@acme-signs.example",
        "notes": _NOTES,
        "site": _SITE,
        "status": "draft",
        "version": 1,
        "created_by": "dev",
        "created_at": "2026-12-01T09:30:00Z",
        "updated_at": "2026-12-01T09:30:00Z",
        **changes,
    }


# The bounds hold for the text as sent (as the documents state them): stripping before the
# length check let 201 characters with a leading space through a documented maxLength of 200.
# Trimmed of what the pattern's `\S` calls space (Unicode White_Space), no more: `str.strip`
# also takes control characters like U+001F, which `\S` lets through, so a name of one of them
# passed the pattern and was empty after it (a 500 when the command was built).
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _trimmed(value: str) -> str:
    return value.strip(WHITE_SPACE)


Name = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"\S"), AfterValidator(_trimmed)
]
Notes = Annotated[str, StringConstraints(max_length=10_000)]
ProjectStatus = Literal["draft", "submitted", "changes_requested", "approved", "deleted"]
PAYLOAD_MAX_BYTES = 256 * 1024
MAX_VERSION = 2**31 - 1  # versions are PostgreSQL integers, from 1


class ProjectSite(BaseModel):
    address: Annotated[str, StringConstraints(max_length=500)] | None = None
    wind_speed_mph: Annotated[float, Field(ge=85, le=250, allow_inf_nan=False)] | None = None
    exposure: Literal["B", "C", "D"] | None = None


class ProjectSiteDraft(ProjectSite, Strict):
    """`site` in a request body (`ProjectSite` itself is forward compatible inside messages)."""


class ProjectFields(BaseModel):
    """The fields a client sets on a project."""

    name: Name
    customer: Name
    pm_email: EmailStr | None = None
    notes: Notes | None = None
    site: ProjectSite | None = None


class ProjectDraft(ProjectFields, Strict):
    """Body of `POST /projects` and `PUT /projects/{id}`."""

    model_config = example(
        {
            "name": "Main St pylon",
            "customer": "Acme Signs",
            "pm_email": "pm@example.com",
            "notes": "Replaces the 1998 sign",
            "site": _SITE,
        }
    )

    site: ProjectSiteDraft | None = None


class PayloadDraft(Strict):
    """Body of `POST /projects/{id}/payload`."""

    model_config = example(
        {"module": "signage.single_pole", "config": {"sign": {"overall_height_ft": 20}}}
    )

    module: Annotated[str, StringConstraints(pattern=r"^[a-z_]+(\.[a-z_]+)+$", max_length=100)]
    config: dict[str, Any]


# Commands -------------------------------------------------------------------------------


class CreateProject(ProjectFields, Message):
    model_config = example(
        {
            "project_id": _PROJECT_ID,
            "name": "Main St pylon",
            "customer": "Acme Signs",
            "pm_email": "pm@acme-signs.example",
            "notes": "Replaces the 1998 sign",
            "site": _SITE,
        }
    )

    project_id: UUID


class UpdateProject(ProjectFields, Message):
    model_config = example(
        {
            "project_id": _PROJECT_ID,
            "expected_version": 1,
            "name": "Main St pylon",
            "customer": "Acme Signs",
            "pm_email": "pm@acme-signs.example",
            "notes": "Replaces the 1998 sign; cabinet enlarged to 10 x 5 ft",
            "site": _SITE,
        }
    )

    project_id: UUID
    expected_version: int | None = Field(default=None, ge=1, le=MAX_VERSION)  # None: If-Match: *


class DeleteProject(Message):
    model_config = example({"project_id": _PROJECT_ID, "expected_version": 3})

    project_id: UUID
    expected_version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class SaveProjectPayload(PayloadDraft, Message):
    model_config = example(
        {
            "project_id": _PROJECT_ID,
            "module": "signage.single_pole",
            "config": SINGLE_POLE_EXAMPLE,
        }
    )

    project_id: UUID


class SubmitProject(Message):
    model_config = example({"project_id": _PROJECT_ID})

    project_id: UUID


# Queries and replies --------------------------------------------------------------------


class GetProject(Message):
    model_config = example({"project_id": _PROJECT_ID})

    project_id: UUID


class ListProjects(Message):
    model_config = example({"status": "draft", "q": "pylon", "limit": 20})

    status: ProjectStatus | None = None
    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    limit: int = Field(default=50, ge=1, le=500)
    cursor: Cursor | None = None


class GetPayload(Message):
    model_config = example({"project_id": _PROJECT_ID})

    project_id: UUID


class ProjectView(Message):
    project_id: UUID
    account: str
    name: str
    customer: str
    pm_email: str | None
    notes: str | None
    site: ProjectSite | None
    status: ProjectStatus
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime


class ProjectPage(Message):
    items: list[ProjectView]
    next_cursor: str | None


class PayloadView(Message):
    project_id: UUID
    module: str
    config: dict[str, Any]
    payload_version: int
    sha256: str
    saved_by: str
    saved_at: datetime


# Events ---------------------------------------------------------------------------------


class ProjectEvent(Message):
    project_id: UUID
    account: str
    actor: str
    occurred_at: datetime


class ProjectCreated(ProjectEvent):
    model_config = example(
        {
            "project_id": _PROJECT_ID,
            "account": "demo",
            "actor": "dev",
            "occurred_at": "2026-12-01T09:30:00Z",
            "project": _project_example(
                status="draft", version=1, updated_at="2026-12-01T09:30:00Z"
            ),
        }
    )

    project: ProjectView


class ProjectUpdated(ProjectEvent):
    model_config = example(
        {
            "project_id": _PROJECT_ID,
            "account": "demo",
            "actor": "dev",
            "occurred_at": "2026-12-01T10:15:00Z",
            "project": _project_example(
                status="draft",
                version=2,
                updated_at="2026-12-01T10:15:00Z",
            ),
        }
    )

    project: ProjectView


class ProjectDeleted(ProjectEvent):
    model_config = example(
        {
            "project_id": _PROJECT_ID,
            "account": "demo",
            "actor": "dev",
            "occurred_at": "2026-12-03T16:00:00Z",
            "version": 4,
        }
    )

    version: int


class ProjectPayloadSaved(ProjectEvent):
    model_config = example(
        {
            "project_id": _PROJECT_ID,
            "account": "demo",
            "actor": "dev",
            "occurred_at": "2026-12-01T11:00:00Z",
            "payload_version": 1,
            "module": "signage.single_pole",
            "sha256": "fabd96d89e88595a24f9f5c80ba2c404725961d52edee1f426c4fee6776a317b",
        }
    )

    payload_version: int
    module: str
    sha256: str


class SubmissionTasks(Message):
    """The child tasks of a submission, created when it is accepted (ids in the task store)."""

    render_document: str
    email_pm: str


class ProjectSubmitted(ProjectEvent):
    """A submission was accepted: everything the calculation package and the email need."""

    model_config = example(
        {
            "project_id": _PROJECT_ID,
            "account": "demo",
            "actor": "dev",
            "occurred_at": "2026-12-01T14:00:00Z",
            "submission_id": "b7e4d1a2-9c3f-4e8b-a6d5-2f1c0e9b8a74",
            "submission_number": 1,
            "submitted_by": "dev",
            "submitted_at": "2026-12-01T14:00:00Z",
            "project": _project_example(
                status="submitted",
                version=3,
                updated_at="2026-12-01T14:00:00Z",
            ),
            "payload": {
                "project_id": _PROJECT_ID,
                "module": "signage.single_pole",
                "config": SINGLE_POLE_EXAMPLE,
                "payload_version": 1,
                "sha256": "fabd96d89e88595a24f9f5c80ba2c404725961d52edee1f426c4fee6776a317b",
                "saved_by": "dev",
                "saved_at": "2026-12-01T11:00:00Z",
            },
            "parent_task_id": "8c1f4e2b-7a9d-4b3e-8f6c-1d5a0e7b9c24",
            "tasks": {
                "render_document": "0a9e3c5f-2b7d-5e1a-9c4f-6b8d2e0a7f13",
                "email_pm": "7d4b1f8e-3a6c-5d2b-8e9f-4c1a7b0d5e36",
            },
        }
    )

    submission_id: UUID
    submission_number: int
    submitted_by: str
    submitted_at: datetime
    project: ProjectView
    payload: PayloadView
    parent_task_id: str | None = None
    tasks: SubmissionTasks | None = None


class SubmissionView(Message):
    submission_id: UUID
    project_id: UUID
    submission_number: int
    submitted_by: str
    submitted_at: datetime
    payload_version: int
    payload_sha256: str
