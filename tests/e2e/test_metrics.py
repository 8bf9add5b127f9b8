"""Each service's `/metrics` counts what happened: outcomes by queue and routing key, task
transitions by kind, the outbox's backlog, renders, emails, the audit ingest and verification.

Every service runs in this test process, so they share one Prometheus registry; each side
port still serves its own service's scrape-time gauges (queue depths, outbox backlog).
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import uuid4

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from apex_contracts import topology as t
from apex_runtime.broker import COMMANDS

from .conftest import System, bearer, client
from .helpers import call, create_project, task_done
from .test_submission import ready_project, submit
from .test_webhooks import Receiver, delivery_tasks, final_task, receiver, register, until

__all__ = ["receiver"]  # the fixture, shared with test_webhooks

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
COMMANDS_QUEUE = t.PROJECT_COMMANDS_QUEUE


async def scrape(system: System, service: str) -> Samples:
    """Every sample of one service's side port `/metrics`."""
    port = system.services[service].port
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        assert response.status == 200
        text = await response.text()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def handled(queue: str, routing_key: str, outcome: str) -> tuple[str, dict[str, str]]:
    labels = {"queue": queue, "routing_key": routing_key, "outcome": outcome}
    return "apex_messages_handled_total", labels


def transitions(kind: str, state: str) -> tuple[str, dict[str, str]]:
    return "apex_tasks_transitions_total", {"kind": kind, "state": state}


class Moves:
    """What a set of samples moved by between two scrapes of one service."""

    def __init__(self, system: System, service: str) -> None:
        self.system, self.service = system, service
        self.before: Samples = {}

    async def __aenter__(self) -> "Moves":
        self.before = await scrape(self.system, self.service)
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def delta(self, name: str, labels: dict[str, str]) -> float:
        now = await scrape(self.system, self.service)
        return value(now, name, **labels) - value(self.before, name, **labels)

    async def until(
        self, expected: Sequence[tuple[tuple[str, dict[str, str]], float]], timeout_s: float = 10
    ) -> None:
        """Wait until each sample moved by its expected amount (and no further)."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            moved = [await self.delta(name, labels) for (name, labels), _ in expected]
            wanted = [amount for _, amount in expected]
            if moved == wanted:
                return
            if asyncio.get_running_loop().time() > deadline:
                detail = [(s[0], s[1], m) for s, m in zip(expected, moved, strict=True)]
                raise AssertionError(f"moved {detail}, not as expected")
            await asyncio.sleep(0.05)


async def test_a_create_counts_one_success_its_transitions_a_batch_and_its_audit_entry(
    http: aiohttp.ClientSession, system: System
) -> None:
    async with Moves(system, "projects") as projects, Moves(system, "audit") as audit:
        project_id = await create_project(http, "Metrics create")
        await projects.until(
            [
                (handled(COMMANDS_QUEUE, t.PROJECT_CREATE, "success"), 1),
                (transitions(t.PROJECT_CREATE, "PENDING"), 1),  # admitted by the gateway
                (transitions(t.PROJECT_CREATE, "STARTED"), 1),
                (transitions(t.PROJECT_CREATE, "SUCCESS"), 1),
                (("apex_messages_handling_seconds_count", {
                    "queue": COMMANDS_QUEUE, "routing_key": t.PROJECT_CREATE}), 1),
            ]
        )  # fmt: skip
        assert (
            await projects.delta("apex_batch_size_messages_count", {"queue": COMMANDS_QUEUE}) >= 1
        )
        await audit.until([(handled(t.AUDIT_EVENTS_QUEUE, t.PROJECT_CREATED, "success"), 1)])
    assert project_id
    samples = await scrape(system, "audit")
    assert value(samples, "apex_audit_ingest_lag_seconds_count") >= 1
    queues = await scrape(system, "projects")
    assert ("apex_queue_messages", frozenset({("queue", COMMANDS_QUEUE)})) in queues
    assert value(queues, "apex_queue_consumers", queue=COMMANDS_QUEUE) >= 1
    assert ("apex_queue_messages", frozenset({("queue", t.DEAD_LETTER_QUEUE)})) in queues


async def test_a_stale_update_is_a_domain_failure_and_a_failed_task(
    http: aiohttp.ClientSession, system: System
) -> None:
    project_id = await create_project(http, "Metrics stale")
    async with Moves(system, "projects") as projects:
        status, body, _ = await call(
            http, "PUT", f"/projects/{project_id}", json={"name": "B", "customer": "C"},
            headers={"If-Match": '"7"', "Prefer": "wait=10"},
        )  # fmt: skip
        assert status == 412, body
        await projects.until(
            [
                (handled(COMMANDS_QUEUE, t.PROJECT_UPDATE, "domain_failure"), 1),
                (handled(COMMANDS_QUEUE, t.PROJECT_UPDATE, "success"), 0),
                (transitions(t.PROJECT_UPDATE, "FAILURE"), 1),
            ]
        )


def failing(times: int, work: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """`work` that raises on its first `times` calls."""
    calls = 0

    async def flaky(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls <= times:
            raise RuntimeError("injected: the handler failed")
        return await work(*args)

    return flaky


async def test_a_handler_that_fails_once_counts_a_retry_then_a_success(
    http: aiohttp.ClientSession, system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    consumer = system.services["projects"].consumers[COMMANDS_QUEUE]
    monkeypatch.setattr(consumer, "work", failing(1, consumer.work))
    async with Moves(system, "projects") as projects:
        await create_project(http, "Metrics retried")  # the retry comes back after ~1 s
        await projects.until(
            [
                (handled(COMMANDS_QUEUE, t.PROJECT_CREATE, "retry"), 1),
                (handled(COMMANDS_QUEUE, t.PROJECT_CREATE, "success"), 1),
                (transitions(t.PROJECT_CREATE, "RETRY"), 1),
                (transitions(t.PROJECT_CREATE, "STARTED"), 2),
                (transitions(t.PROJECT_CREATE, "SUCCESS"), 1),
            ]
        )


async def test_a_handler_out_of_attempts_counts_a_dead_letter_and_a_failure(
    http: aiohttp.ClientSession, system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    consumer = system.services["projects"].consumers[COMMANDS_QUEUE]
    monkeypatch.setattr(consumer, "work", failing(1, consumer.work))
    monkeypatch.setattr(consumer.runner, "max_attempts", 1)
    async with Moves(system, "projects") as projects:
        dead_before = value(projects.before, "apex_queue_messages", queue=t.DEAD_LETTER_QUEUE)
        status, body, _ = await call(
            http, "POST", "/projects", json={"name": "Metrics dead", "customer": "C"},
            headers={"Prefer": "wait=10"},
        )  # fmt: skip
        assert body["result"]["state"] == "FAILURE", (status, body)
        await projects.until(
            [
                (handled(COMMANDS_QUEUE, t.PROJECT_CREATE, "dead_lettered"), 1),
                (handled(COMMANDS_QUEUE, t.PROJECT_CREATE, "retry"), 0),
                (transitions(t.PROJECT_CREATE, "FAILURE"), 1),
            ]
        )
        for _ in range(100):  # RabbitMQ's count catches up with the confirmed copy
            samples = await scrape(system, "projects")
            if value(samples, "apex_queue_messages", queue=t.DEAD_LETTER_QUEUE) > dead_before:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("apex.dead's depth did not grow")


async def test_a_command_that_does_not_validate_is_counted_dead_lettered_by_faststream(
    system: System,
) -> None:
    """A FastStream consumer (notification-service's commands) counts the dead letter its
    validation middleware decided."""
    queue, key = "notification-service.commands", "webhook.register"
    async with Moves(system, "notifications") as notifications:
        await system.services["notifications"].broker.publish(
            b'{"url": 5}', exchange=COMMANDS, routing_key=key, message_id=str(uuid4()),
            headers={"x-apex-account": "demo", "x-apex-actor": "dev"}, persist=True,
        )  # fmt: skip
        await notifications.until(
            [(handled(queue, key, "dead_lettered"), 1), (handled(queue, key, "success"), 0)]
        )


async def test_queries_count_answers_and_refusals(
    http: aiohttp.ClientSession, system: System
) -> None:
    project_id = await create_project(http, "Metrics query")
    queue = t.query_queue_name("project-service", t.PROJECT_GET)
    async with Moves(system, "projects") as projects:
        assert (await call(http, "GET", f"/projects/{project_id}"))[0] == 200
        assert (await call(http, "GET", f"/projects/{uuid4()}"))[0] == 404
        await projects.until(
            [
                (handled(queue, t.PROJECT_GET, "success"), 1),
                (handled(queue, t.PROJECT_GET, "domain_failure"), 1),
            ]
        )


async def test_events_left_unsent_show_in_the_outbox_backlog_and_its_age(
    http: aiohttp.ClientSession, system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    relay = system.services["projects"].consumers[COMMANDS_QUEUE].uow.relay

    async def dies_before_publishing(rows: Sequence[Any]) -> None:
        return None

    before = value(await scrape(system, "projects"), "apex_outbox_backlog_rows", schema="projects")
    monkeypatch.setattr(relay, "publish_committed", dies_before_publishing)
    monkeypatch.setattr(relay, "sweep_after_s", 3600.0)
    await create_project(http, "Metrics unsent")
    await asyncio.sleep(0.2)
    samples = await scrape(system, "projects")
    assert value(samples, "apex_outbox_backlog_rows", schema="projects") == before + 1
    assert value(samples, "apex_outbox_oldest_unsent_age_seconds", schema="projects") > 0.1
    assert value(samples, "apex_table_rows", schema="projects", table="outbox") >= 0
    monkeypatch.setattr(relay, "sweep_after_s", 0.0)
    relay.wake()
    for _ in range(100):
        samples = await scrape(system, "projects")
        if value(samples, "apex_outbox_backlog_rows", schema="projects") == 0:
            break
        await asyncio.sleep(0.05)
    assert value(samples, "apex_outbox_oldest_unsent_age_seconds", schema="projects") == 0


async def test_a_submission_counts_its_render_its_email_and_its_child_tasks(
    http: aiohttp.ClientSession, system: System
) -> None:
    project_id = await ready_project(http, name="Metrics submission")
    async with Moves(system, "documents") as documents, Moves(system, "notifications") as mail:
        status, body = await submit(http, project_id)
        assert status == 202, body
        task = await task_done(http, body["result"]["task_id"], timeout_s=30)
        assert task["state"] == "SUCCESS", task
        await documents.until(
            [
                (handled(t.DOCUMENT_EVENTS_QUEUE, t.PROJECT_SUBMITTED, "success"), 1),
                (transitions("render_document", "SUCCESS"), 1),
                (("apex_documents_render_seconds_count", {"phase": "layout"}), 1),
                (("apex_documents_render_seconds_count", {"phase": "write"}), 1),
                (("apex_documents_pdf_size_bytes_count", {}), 1),
            ]
        )
        await mail.until(
            [
                (handled(t.NOTIFICATION_EVENTS_QUEUE, t.DOCUMENT_RENDERED, "success"), 1),
                (transitions("email_pm", "SUCCESS"), 1),
                (("apex_notifications_emails_total", {"outcome": "sent"}), 1),
            ]
        )


async def test_a_verification_sets_the_last_result(
    http: aiohttp.ClientSession, system: System
) -> None:
    await create_project(http, "Metrics verify")
    async with Moves(system, "audit") as audit:
        status, body, _ = await call(http, "GET", "/audit/verify")
        assert status == 200 and body["result"]["verified"], body
        await audit.until([(("apex_audit_verifications_total", {"result": "verified"}), 1)])
    samples = await scrape(system, "audit")
    assert value(samples, "apex_audit_verify_last_result") == 1
    assert value(samples, "apex_audit_verify_last_timestamp_seconds") > 0


async def test_the_gateway_reports_whether_rabbitmq_blocks_it(system: System) -> None:
    """0 here; tests/e2e/test_flow_control.py raises a real memory alarm."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{system.base_url}/metrics") as response,
    ):
        text = await response.text()
    samples = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}
    assert samples["apex_gateway_broker_blocked"] == 0


async def test_webhook_posts_count_deferred_then_delivered_and_a_refusal(
    system: System, receiver: Receiver
) -> None:
    """A receiver answering 503 once, then 200; then one answering 404 (final)."""
    queue = key = t.NOTIFICATION_DELIVERIES_QUEUE
    account = bearer(system.settings, account=f"metrics-{uuid4().hex[:8]}")
    async with client(system, account) as http, Moves(system, "notifications") as hooks:
        status, body = await register(http, receiver.url, ["project.created"])
        assert status == 201, body
        webhook_id = body["result"]["webhook_id"]
        receiver.answer = lambda call: 503 if call == 1 else 200
        await create_project(http, "Metrics webhook")
        [task_id] = await until(lambda: delivery_tasks(system, webhook_id))
        assert (await final_task(system, task_id)).state == "SUCCESS"
        await hooks.until(
            [
                (("apex_notifications_webhook_deliveries_total", {"outcome": "deferred"}), 1),
                (("apex_notifications_webhook_deliveries_total", {"outcome": "delivered"}), 1),
                (handled(queue, key, "retry"), 1),
                (handled(queue, key, "success"), 1),
                (transitions("webhook.deliver", "RETRY"), 1),
                (transitions("webhook.deliver", "SUCCESS"), 1),
            ]
        )
        receiver.answer = lambda call: 404
        await create_project(http, "Metrics webhook refused")
        await hooks.until(
            [
                (("apex_notifications_webhook_deliveries_total", {"outcome": "refused"}), 1),
                (handled(queue, key, "domain_failure"), 1),
                (transitions("webhook.deliver", "FAILURE"), 1),
            ]
        )


async def test_a_cancel_counts_one_revoked_transition_of_the_tasks_kind(
    http: aiohttp.ClientSession, system: System
) -> None:
    kind = f"metrics.cancel.{uuid4().hex[:6]}"
    task_id = str(uuid4())
    async with Moves(system, "projects") as moves:
        await system.services["projects"].status.create(task_id, kind, "demo", "dev")
        status, body, _ = await call(http, "DELETE", f"/tasks/{task_id}")
        assert status == 200, body
        status, _, _ = await call(http, "DELETE", f"/tasks/{task_id}")
        assert status == 409  # refused: not a transition
        await moves.until([(transitions(kind, "PENDING"), 1), (transitions(kind, "REVOKED"), 1)])
