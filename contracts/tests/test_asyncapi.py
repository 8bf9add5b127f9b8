"""apex_contracts/asyncapi.yaml is generated from the services' wiring and must stay current."""

import importlib
import json
import pkgutil
from collections import defaultdict
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml
from pydantic import BaseModel

import apex_contracts
from apex_runtime.asyncapi import document

CHECKED_IN = Path(str(files("apex_contracts") / "asyncapi.yaml"))
SCHEMAS = "#/components/schemas/"

# Payloads of handlers typed `Any` (an empty schema: any JSON is valid). FastStream 0.7 cannot
# put an example on an AsyncAPI message (its message object has only a title and a payload;
# `examples` is a TODO there), so these alone go without one.
FREE_FORM = {
    "audit-service.commands:apex.commands:OnCommand:Message:Payload": "a free-form payload: "
    "any JSON is valid (audit-service records every command)",
    "audit-service.events:apex.events:OnEvent:Message:Payload": "a free-form payload: "
    "any JSON is valid (audit-service records every event)",
    "OnUnknown:Message:Payload": "a free-form payload: any JSON is valid "
    "(notification-service refuses a command it does not know)",
    "OnEvent:Message:Payload": "a free-form payload: any JSON is valid "
    "(notification-service fans every event out to webhooks)",
}


def test_asyncapi_document_is_up_to_date() -> None:
    assert CHECKED_IN.read_text() == document(), "run `make asyncapi` and commit the result"


def test_asyncapi_names_every_project_command_and_event() -> None:
    text = CHECKED_IN.read_text()
    for name in ("project-service.commands", "project.created:publish", "audit-service.events"):
        assert name in text


def _contract_models() -> dict[str, type[BaseModel]]:
    """Every model of apex_contracts by name (which names its schema component)."""
    models: dict[str, type[BaseModel]] = {}
    for m in pkgutil.iter_modules(apex_contracts.__path__):
        module = importlib.import_module(f"apex_contracts.{m.name}")
        for name, value in vars(module).items():
            ours = isinstance(value, type) and value.__module__ == module.__name__
            if ours and issubclass(value, BaseModel):
                models[name] = value
    return models


def _payload_schemas(message: dict[str, Any]) -> list[str]:
    """The schema component of each payload of a message (each `oneOf` alternative is one)."""
    payload = message["payload"]
    alternatives = payload.get("oneOf", [payload])
    assert all("$ref" in alt for alt in alternatives), f"inline payload schema: {payload}"
    return [str(alt["$ref"]).removeprefix(SCHEMAS) for alt in alternatives]


def test_every_message_has_an_example_that_validates() -> None:
    """Each payload schema carries `examples`, and each is valid against the schema as the
    document states it (formats included) and against the model that reads it off the wire."""
    doc = yaml.safe_load(CHECKED_IN.read_text())
    components = doc["components"]
    models = _contract_models()
    problems: list[str] = []
    free_form: set[str] = set()
    checked = 0
    for message_name, message in sorted(components["messages"].items()):
        for name in _payload_schemas(message):
            schema = components["schemas"][name]
            if set(schema) <= {"title"}:  # `{}`: accepts anything, no model to give an example
                free_form.add(name)
                continue
            examples = schema.get("examples")
            if not examples:
                problems.append(f"{message_name}: {name} has no example")
                continue
            validator = jsonschema_rs.Draft202012Validator(
                {"$ref": SCHEMAS + name, "components": components}, validate_formats=True
            )
            for example in examples:
                checked += 1
                problems += [
                    f"{message_name}: {name} example {example}: {error.message}"
                    for error in validator.iter_errors(example)
                ]
                if name in models:  # read as the services do: JSON off the wire
                    try:
                        models[name].model_validate_json(json.dumps(example))
                    except ValueError as exc:
                        problems.append(f"{message_name}: {name} example: {exc}")
    assert problems == []
    assert free_form == set(FREE_FORM), "free-form payloads changed: update FREE_FORM"
    assert checked > 0


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
