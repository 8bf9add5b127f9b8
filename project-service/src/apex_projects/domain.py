"""The project aggregate and its rules, with no I/O.

A `Project` checks a command against its own state, changes that state and returns the event
to publish; the use cases in `handlers.py` load it from the store, call one method, save it
and emit what the method returned.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from apex_contracts import projects as c
from apex_runtime.errors import Conflict, Invalid, VersionConflict

EDITABLE_STATUSES: frozenset[c.ProjectStatus] = frozenset({"draft", "changes_requested"})


@dataclass(frozen=True)
class Payload:
    """One saved design payload: the versions of a project's design are numbered from 1."""

    project_id: UUID
    payload_version: int
    module: str
    config: dict[str, Any]
    sha256: str
    saved_by: str
    saved_at: datetime

    def view(self) -> c.PayloadView:
        return c.PayloadView(
            project_id=self.project_id,
            module=self.module,
            config=self.config,
            payload_version=self.payload_version,
            sha256=self.sha256,
            saved_by=self.saved_by,
            saved_at=self.saved_at,
        )


@dataclass(frozen=True)
class Submission:
    """An accepted submission: which payload it froze, numbered per project from 1."""

    id: UUID
    project_id: UUID
    number: int
    submitted_by: str
    submitted_at: datetime
    payload_version: int
    payload_sha256: str

    def view(self) -> c.SubmissionView:
        return c.SubmissionView(
            submission_id=self.id,
            project_id=self.project_id,
            submission_number=self.number,
            submitted_by=self.submitted_by,
            submitted_at=self.submitted_at,
            payload_version=self.payload_version,
            payload_sha256=self.payload_sha256,
        )


@dataclass
class Project:
    id: UUID
    account: str
    name: str
    customer: str
    pm_email: str | None
    notes: str | None
    site: dict[str, Any] | None
    status: c.ProjectStatus
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def new(cls, cmd: c.CreateProject, account: str, actor: str, now: datetime) -> "Project":
        """A draft at version 1; its `created` event is `created(now)` once it is stored."""
        return cls(
            id=cmd.project_id,
            account=account,
            name=cmd.name,
            customer=cmd.customer,
            pm_email=cmd.pm_email,
            notes=cmd.notes,
            site=_site(cmd.site),
            status="draft",
            version=1,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )

    def view(self) -> c.ProjectView:
        return c.ProjectView(
            project_id=self.id,
            account=self.account,
            name=self.name,
            customer=self.customer,
            pm_email=self.pm_email,
            notes=self.notes,
            site=c.ProjectSite.model_validate(self.site) if self.site else None,
            status=self.status,
            version=self.version,
            created_by=self.created_by,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )

    def created(self, actor: str) -> c.ProjectCreated:
        return c.ProjectCreated(**self._event(actor, self.created_at), project=self.view())

    def update(self, cmd: c.UpdateProject, actor: str, now: datetime) -> c.ProjectUpdated:
        """Replace the fields a client sets (a PUT), at the version the client read."""
        self._check_version(cmd.expected_version)
        self.name, self.customer = cmd.name, cmd.customer
        self.pm_email, self.notes, self.site = cmd.pm_email, cmd.notes, _site(cmd.site)
        self._bump(now)
        return c.ProjectUpdated(**self._event(actor, now), project=self.view())

    def delete(self, expected_version: int | None, actor: str, now: datetime) -> c.ProjectDeleted:
        """A soft delete: the row and its history stay; the project stops existing for reads."""
        self._check_version(expected_version)
        self.status = "deleted"
        self._bump(now)
        return c.ProjectDeleted(**self._event(actor, now), version=self.version)

    def save_payload(
        self, cmd: c.SaveProjectPayload, latest: int | None, actor: str, now: datetime
    ) -> tuple[Payload, c.ProjectPayloadSaved]:
        """The next payload version after `latest`, while the design may still change. Saving
        a payload leaves the project's own version alone: it versions the fields, not the design.
        """
        if self.status not in EDITABLE_STATUSES:
            raise Invalid(f"project {self.id} is {self.status}; its design cannot change now")
        payload = Payload(
            project_id=self.id,
            payload_version=(latest or 0) + 1,
            module=cmd.module,
            config=cmd.config,
            sha256=fingerprint(cmd.config),
            saved_by=actor,
            saved_at=now,
        )
        event = c.ProjectPayloadSaved(
            **self._event(actor, now),
            payload_version=payload.payload_version,
            module=payload.module,
            sha256=payload.sha256,
        )
        return payload, event

    def submit(
        self,
        payload: Payload | None,
        earlier_submissions: int,
        actor: str,
        now: datetime,
        task_id: str | None,
    ) -> tuple[Submission, c.ProjectSubmitted]:
        """Freeze the latest payload in a numbered submission; the project is `submitted`. The
        event names the submission's child tasks (render the document, email the PM), derived
        from its own task's id, which the caller creates before the event can reach them.

        Refused while anything `missing_for_submission` names is missing: `Conflict` when the
        status forbids it (a retry cannot help), `Invalid` when the client can supply it.
        """
        missing = missing_for_submission(self.status, payload is not None, self.pm_email)
        if self.status not in EDITABLE_STATUSES:
            raise Conflict("; ".join(missing))
        if missing or payload is None:
            raise Invalid("cannot submit yet: " + "; ".join(missing))
        submission = Submission(
            id=uuid4(),
            project_id=self.id,
            number=earlier_submissions + 1,
            submitted_by=actor,
            submitted_at=now,
            payload_version=payload.payload_version,
            payload_sha256=payload.sha256,
        )
        self.status = "submitted"
        self._bump(now)
        tasks = None
        if task_id is not None:
            tasks = c.SubmissionTasks(
                render_document=child_task_id(task_id, "render_document"),
                email_pm=child_task_id(task_id, "email_pm"),
            )
        event = c.ProjectSubmitted(
            **self._event(actor, now),
            submission_id=submission.id,
            submission_number=submission.number,
            submitted_by=actor,
            submitted_at=now,
            project=self.view(),
            payload=payload.view(),
            parent_task_id=task_id,
            tasks=tasks,
        )
        return submission, event

    def _check_version(self, expected: int | None) -> None:
        """Optimistic concurrency: a write may name the version it read (`If-Match`)."""
        if expected is not None and expected != self.version:
            raise VersionConflict(
                f"project {self.id} is at version {self.version}, not {expected}; reload and retry"
            )

    def _bump(self, now: datetime) -> None:
        self.version += 1
        self.updated_at = now

    def _event(self, actor: str, now: datetime) -> dict[str, Any]:
        return {"project_id": self.id, "account": self.account, "actor": actor, "occurred_at": now}


def _site(site: c.ProjectSite | None) -> dict[str, Any] | None:
    return site.model_dump(mode="json") if site else None


def missing_for_submission(status: str, has_payload: bool, pm_email: str | None) -> list[str]:
    """What stands between a project and its submission, as sentences a person can act on."""
    missing = []
    if status not in EDITABLE_STATUSES:
        missing.append(f"the project is {status}; only draft or changes_requested can be submitted")
    if not has_payload:
        missing.append("no design payload is saved (POST /projects/{id}/payload)")
    if not pm_email:
        missing.append("no pm_email is set (PUT /projects/{id})")
    return missing


def child_task_id(parent_task_id: str, kind: str) -> str:
    """A child's task id, derived so a redelivered submission names the same children."""
    return str(uuid5(NAMESPACE_URL, f"apex:task:{parent_task_id}:{kind}"))


def payload_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 as is: the bytes a payload's SHA-256 is taken over.

    Not the audit log's `canonical_json` (RFC 8785, which anyone re-verifying an export must
    reproduce): the two differ on numbers and key order, and every stored payload's `sha256`
    was taken over this form, so it keeps its own name rather than a shared one.
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def fingerprint(value: Any) -> str:
    return hashlib.sha256(payload_json(value)).hexdigest()
