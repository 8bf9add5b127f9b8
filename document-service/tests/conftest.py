"""Submissions and signage answers for the rendering tests (no broker, no database).

`data/single_pole_reply.json` is signage-service's answer to `data/single_pole_request.json`
(the worked example of its own tests: Pipe8STD on a 7.70 ft footing), saved as JSON so these
tests exercise the wire format without importing another service.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from apex_contracts.projects import (
    PayloadView,
    ProjectSite,
    ProjectSubmitted,
    ProjectView,
    SubmissionTasks,
)
from apex_contracts.signage import SinglePoleDesignReply
from apex_documents.render import PackageRenderer

DATA = Path(__file__).parent / "data"
SUBMITTED_AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
PAYLOAD_SHA = "5f" * 32


@pytest.fixture(scope="session")
def renderer() -> PackageRenderer:
    return PackageRenderer()


@pytest.fixture(scope="session")
def design_body() -> dict[str, Any]:
    return json.loads((DATA / "single_pole_request.json").read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def design_reply() -> SinglePoleDesignReply:
    return SinglePoleDesignReply.model_validate_json((DATA / "single_pole_reply.json").read_text())


def submitted(
    config: dict[str, Any], name: str = "Main St pylon", module: str = "signage.single_pole"
) -> ProjectSubmitted:
    project_id = uuid4()
    project = ProjectView(
        project_id=project_id,
        account="demo",
        name=name,
        customer="Acme Signs",
        pm_email="pm@example.com",
        notes=None,
        site=ProjectSite(address="1 Main St, Springfield", wind_speed_mph=115, exposure="C"),
        status="submitted",
        version=4,
        created_by="dev",
        created_at=SUBMITTED_AT,
        updated_at=SUBMITTED_AT,
    )
    payload = PayloadView(
        project_id=project_id,
        module=module,
        config=config,
        payload_version=3,
        sha256=PAYLOAD_SHA,
        saved_by="dev",
        saved_at=SUBMITTED_AT,
    )
    return ProjectSubmitted(
        project_id=project_id,
        account="demo",
        actor="dev",
        occurred_at=SUBMITTED_AT,
        submission_id=uuid4(),
        submission_number=2,
        submitted_by="dev",
        submitted_at=SUBMITTED_AT,
        project=project,
        payload=payload,
        parent_task_id="parent",
        tasks=SubmissionTasks(render_document="render", email_pm="email"),
    )


Submit = Callable[..., ProjectSubmitted]


@pytest.fixture(scope="session")
def make_submission() -> Submit:
    """`make_submission(config, name=..., module=...)`: a `project.submitted` event."""
    return submitted
