"""contracts/asyncapi.yaml is generated from the services' wiring and must stay current."""

from pathlib import Path

from apex_runtime.asyncapi import document

CHECKED_IN = Path(__file__).resolve().parents[1] / "asyncapi.yaml"


def test_asyncapi_document_is_up_to_date() -> None:
    assert CHECKED_IN.read_text() == document(), "run `make asyncapi` and commit the result"


def test_asyncapi_names_every_project_command_and_event() -> None:
    text = CHECKED_IN.read_text()
    for name in ("project-service.commands", "project.created:publish", "audit-service.events"):
        assert name in text
