"""apex_contracts/asyncapi.yaml is generated from the services' wiring and must stay current."""

import importlib
import pkgutil
from collections import defaultdict
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel

import apex_contracts
from apex_runtime.asyncapi import document

CHECKED_IN = Path(str(files("apex_contracts") / "asyncapi.yaml"))


def test_asyncapi_document_is_up_to_date() -> None:
    assert CHECKED_IN.read_text() == document(), "run `make asyncapi` and commit the result"


def test_asyncapi_names_every_project_command_and_event() -> None:
    text = CHECKED_IN.read_text()
    for name in ("project-service.commands", "project.created:publish", "audit-service.events"):
        assert name in text


def test_no_two_contract_models_share_a_name() -> None:
    """Schema documents name components after models: two alike would point one's fields at the
    other's schema (the AsyncAPI `Site` of signage once described a project's site)."""
    modules = [
        importlib.import_module(f"apex_contracts.{m.name}")
        for m in pkgutil.iter_modules(apex_contracts.__path__)
    ]
    where: dict[str, set[str]] = defaultdict(set)
    for module in modules:
        for name, value in vars(module).items():
            ours = isinstance(value, type) and value.__module__ == module.__name__
            if ours and issubclass(value, BaseModel):
                where[name].add(module.__name__)
    assert {name: found for name, found in where.items() if len(found) > 1} == {}
