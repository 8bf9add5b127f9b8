"""The Project aggregate and its rules, without any server."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from apex_contracts import projects as c
from apex_projects.domain import Project, child_task_id, fingerprint, payload_json
from apex_projects.store import decode_cursor, encode_cursor, like_pattern
from apex_runtime.errors import Conflict, Invalid, VersionConflict

T0 = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
T1 = T0 + timedelta(minutes=5)


def draft(**fields: object) -> Project:
    cmd = c.CreateProject(project_id=uuid4(), name="Main St pylon", customer="Acme", **fields)
    return Project.new(cmd, "demo", "dev", T0)


def payload_cmd(project: Project) -> c.SaveProjectPayload:
    return c.SaveProjectPayload(project_id=project.id, module="signage.single_pole", config={})


def test_a_new_project_is_a_draft_at_version_1_and_its_event_carries_its_view() -> None:
    project = draft(pm_email="pm@example.com")
    assert (project.status, project.version, project.created_at) == ("draft", 1, T0)
    event = project.created("dev")
    assert event.project == project.view() and event.occurred_at == T0


def test_update_checks_the_version_replaces_the_fields_and_bumps_the_version() -> None:
    project = draft(notes="old")
    cmd = c.UpdateProject(project_id=project.id, name="New", customer="B", expected_version=1)
    event = project.update(cmd, "eng", T1)
    assert (project.name, project.notes, project.version, project.updated_at) == (
        "New",
        None,
        2,
        T1,
    )
    assert event.project.version == 2 and event.actor == "eng"
    with pytest.raises(VersionConflict, match="at version 2, not 1"):
        project.update(cmd, "eng", T1)
    assert project.version == 2  # a refused write changes nothing


def test_an_absent_expected_version_writes_whatever_the_version() -> None:
    project = draft()
    project.delete(None, "dev", T1)
    assert (project.status, project.version) == ("deleted", 2)


def test_payload_versions_count_up_and_stop_once_submitted() -> None:
    project = draft(pm_email="pm@example.com")
    first, event = project.save_payload(payload_cmd(project), None, "dev", T1)
    second, _ = project.save_payload(payload_cmd(project), first.payload_version, "dev", T1)
    assert (first.payload_version, second.payload_version) == (1, 2)
    assert event.sha256 == first.sha256 == fingerprint({})
    assert project.version == 1  # the design's versions are the payload's, not the project's
    project.submit(second, 0, "dev", T1, task_id=None)
    with pytest.raises(Invalid, match="is submitted; its design cannot change"):
        project.save_payload(payload_cmd(project), 2, "dev", T1)


def test_submit_names_what_is_missing_and_refuses_a_submitted_project() -> None:
    project = draft()
    with pytest.raises(Invalid) as refused:
        project.submit(None, 0, "dev", T1, task_id=None)
    assert "no design payload" in str(refused.value) and "no pm_email" in str(refused.value)
    assert project.status == "draft"
    project.pm_email = "pm@example.com"
    payload, _ = project.save_payload(payload_cmd(project), None, "dev", T1)
    submission, event = project.submit(payload, 2, "dev", T1, task_id="t-1")
    assert (submission.number, project.status, project.version) == (3, "submitted", 2)
    assert event.parent_task_id == "t-1" and event.tasks is not None
    assert event.tasks.render_document == child_task_id("t-1", "render_document")
    assert event.payload == payload.view() and event.project.status == "submitted"
    with pytest.raises(Conflict, match="only draft or changes_requested"):
        project.submit(payload, 3, "dev", T1, task_id=None)


def test_child_task_ids_repeat_for_a_redelivery_and_differ_by_kind() -> None:
    assert child_task_id("t", "email_pm") == child_task_id("t", "email_pm")
    assert child_task_id("t", "email_pm") != child_task_id("t", "render_document")


def test_cursor_round_trips() -> None:
    at, project_id = datetime(2026, 11, 26, 5, 0, 0, 123456, tzinfo=UTC), uuid4()
    assert decode_cursor(encode_cursor((at, project_id))) == (at, project_id)


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90LWEtY3Vyc29y", "WzEsMiwzXQ"])
def test_damaged_cursor_is_invalid(cursor: str) -> None:
    with pytest.raises(Invalid):
        decode_cursor(cursor)


def test_payload_json_sorts_keys_and_drops_spaces() -> None:
    assert (
        payload_json({"b": 1, "a": [1, {"d": 2, "c": "é"}]})
        == '{"a":[1,{"c":"é","d":2}],"b":1}'.encode()
    )


def test_fingerprint_ignores_key_order() -> None:
    assert fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_nan_cannot_be_fingerprinted() -> None:
    with pytest.raises(ValueError):
        payload_json({"x": float("nan")})


def test_like_pattern_escapes_wildcards() -> None:
    assert like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"
