"""Project commands, queries, replies and events (owned by project-service)."""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from .base import Message, Strict, example

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
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
            "site": {"address": "100 Main St, Springfield", "wind_speed_mph": 115, "exposure": "C"},
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
    project_id: UUID


class UpdateProject(ProjectFields, Message):
    project_id: UUID
    expected_version: int | None = Field(default=None, ge=1, le=MAX_VERSION)  # None: If-Match: *


class DeleteProject(Message):
    project_id: UUID
    expected_version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class SaveProjectPayload(PayloadDraft, Message):
    project_id: UUID


class SubmitProject(Message):
    project_id: UUID


# Queries and replies --------------------------------------------------------------------


class GetProject(Message):
    project_id: UUID


class ListProjects(Message):
    status: ProjectStatus | None = None
    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = None


class GetPayload(Message):
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
    project: ProjectView


class ProjectUpdated(ProjectEvent):
    project: ProjectView


class ProjectDeleted(ProjectEvent):
    version: int


class ProjectPayloadSaved(ProjectEvent):
    payload_version: int
    module: str
    sha256: str


class SubmissionTasks(Message):
    """The child tasks of a submission, created when it is accepted (ids in the task store)."""

    render_document: str
    email_pm: str


class ProjectSubmitted(ProjectEvent):
    """A submission was accepted: everything the calculation package and the email need."""

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
