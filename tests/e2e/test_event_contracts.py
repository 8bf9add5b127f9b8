"""Every event the services publish during the end-to-end tests validates against its message
schema in apex_contracts/asyncapi.yaml (the tap in conftest.py hears all of them). This test runs
after the others (marker `suite_end`) and first drives one of each event itself, so it proves
something when run alone too."""

import asyncio
from importlib.resources import files
from typing import Any
from uuid import uuid4

import jsonschema_rs
import orjson
import pytest
import yaml

from apex_contracts.topology import EVENTS_EXCHANGE

from .conftest import System, bearer, client
from .helpers import call, create_project, task_done
from .test_submission import WAIT, ready_project

SITE = {"address": "1 Main St", "wind_speed_mph": 115, "exposure": "C"}
ASYNCAPI = files("apex_contracts") / "asyncapi.yaml"


def event_validators(document: dict[str, Any]) -> dict[str, jsonschema_rs.Validator]:
    """The payload schema of every event channel (a publisher on `apex.events`), by routing key."""
    validators = {}
    for channel in document["channels"].values():
        exchange = channel.get("bindings", {}).get("amqp", {}).get("exchange", {})
        if exchange.get("name") != EVENTS_EXCHANGE:
            continue
        for ref in channel["messages"].values():
            message = document["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
            schema = {**message["payload"], "components": document["components"]}
            validators[channel["address"]] = jsonschema_rs.validator_for(
                schema, validate_formats=True
            )
    return validators


async def one_of_each_event(system: System) -> None:
    """Created, updated, payload saved, submitted, rendered, emailed, deleted; a webhook
    registered and deleted before anything is sent to it; a refused credential. An account of
    its own, so no other test's webhook quota or events are touched."""
    who = bearer(system.settings, account=f"events-{uuid4().hex[:8]}")
    async with client(system, who) as http:
        hook = {"url": "http://127.0.0.1:9/never-called", "events": ["project.created"]}
        status, body, _ = await call(http, "POST", "/webhooks", json=hook, headers=WAIT)
        assert status == 201, body
        webhook_id = body["result"]["webhook_id"]
        status, body, _ = await call(http, "DELETE", f"/webhooks/{webhook_id}", headers=WAIT)
        assert status == 200, body

        project_id = await ready_project(http, name="Event contracts", site=SITE)
        status, body, _ = await call(http, "POST", f"/projects/{project_id}/submit")
        assert status == 202, body
        assert (await task_done(http, body["result"]["task_id"], 60))["state"] == "SUCCESS"

        other = await create_project(http, name="Updated then deleted")
        status, body, _ = await call(
            http, "PUT", f"/projects/{other}", json={"name": "Renamed", "customer": "C"},
            headers={"If-Match": "*", **WAIT},
        )  # fmt: skip
        assert status == 200, body
        status, body, _ = await call(http, "DELETE", f"/projects/{other}", headers=WAIT)
        assert status == 200, body
    async with client(system, {"Authorization": "Bearer not-a-token"}) as stranger:
        status, _, _ = await call(stranger, "GET", "/projects")
        assert status == 401


@pytest.mark.suite_end
async def test_every_event_published_in_the_suite_validates_against_asyncapi(
    system: System,
) -> None:
    validators = event_validators(yaml.safe_load(ASYNCAPI.read_text()))
    await one_of_each_event(system)
    driven = {
        "project.created", "project.updated", "project.deleted", "project.payload_saved",
        "project.submitted", "document.rendered", "notification.email_sent",
        "webhook.registered", "webhook.deleted", "security.auth_failed",
    }  # fmt: skip
    for _ in range(300):
        if driven <= system.events.keys():
            break
        await asyncio.sleep(0.05)
    assert driven <= system.events.keys(), driven - system.events.keys()

    undocumented = system.events.keys() - validators.keys()
    assert not undocumented, f"events published with no AsyncAPI channel: {undocumented}"
    failures = []
    for event in list(system.events.seen):
        assert event.content_type == "application/json", event
        errors = list(validators[event.routing_key].iter_errors(orjson.loads(event.body)))
        if errors:
            failures.append(f"{event.routing_key}: {errors[0]} in {event.body[:300]!r}")
    counts = {key: 0 for key in sorted(system.events.keys())}
    for event in system.events.seen:
        counts[event.routing_key] += 1
    print(f"events validated against {ASYNCAPI.name}: {counts}")
    assert not failures, "\n".join(failures[:20])
