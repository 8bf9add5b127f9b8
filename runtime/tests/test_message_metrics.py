"""The shared metrics: outcomes named where they are decided, counted once; scrape-time gauges
that never fail a scrape."""

import asyncio
from uuid import uuid4

import pytest
from prometheus_client import REGISTRY

from apex_contracts.queries import QueryReply
from apex_contracts.tasks import ErrorCode
from apex_runtime import message_metrics as metrics
from apex_runtime.scraped_metrics import ScrapeCollectors


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_query_answer_names_its_outcome() -> None:
    assert metrics.outcome_of_reply(QueryReply.success({"x": 1})) == metrics.SUCCESS
    refused = QueryReply.failure(ErrorCode.NOT_FOUND, "no such project")
    assert metrics.outcome_of_reply(refused) == metrics.DOMAIN_FAILURE
    failed = QueryReply.failure(ErrorCode.INTERNAL, "the query failed")
    assert metrics.outcome_of_reply(failed) == metrics.ERROR
    assert metrics.outcome_of_reply(None) is None  # a handler that answers nothing


def test_a_meter_is_made_once_and_counts_each_delivery_with_its_duration() -> None:
    queue = f"q-{uuid4().hex[:6]}"
    assert metrics.meter(queue, "a.b") is metrics.meter(queue, "a.b")
    metrics.meter(queue, "a.b").record(metrics.RETRY, 0.2, count=3)
    metrics.meter(queue, "a.b").count(metrics.DEAD_LETTERED)
    labels = {"queue": queue, "routing_key": "a.b"}
    assert sample("apex_messages_handled_total", **labels, outcome="retry") == 3
    assert sample("apex_messages_handled_total", **labels, outcome="dead_lettered") == 1
    assert sample("apex_messages_handled_total", **labels, outcome="success") == 0  # exported
    assert sample("apex_messages_handling_seconds_count", **labels) == 3  # not the uncounted one
    assert sample("apex_messages_handling_seconds_sum", **labels) == pytest.approx(0.6)


def test_the_outcome_is_noted_only_while_a_delivery_is_handled() -> None:
    metrics.note(metrics.RETRY)  # outside any handling: nothing to name, nothing raised
    handling = metrics.Handling()
    token = metrics.HANDLING_NOW.set(handling)
    try:
        metrics.note(metrics.DEAD_LETTERED)
    finally:
        metrics.HANDLING_NOW.reset(token)
    assert handling.outcome == metrics.DEAD_LETTERED
    assert metrics.HANDLING_NOW.get() is None


async def test_a_failing_or_slow_collector_is_counted_and_the_others_still_run() -> None:
    collectors = ScrapeCollectors(timeout_s=0.05)
    ran: list[str] = []
    name = uuid4().hex[:6]

    async def works() -> None:
        ran.append("works")

    async def fails() -> None:
        raise ConnectionError("database down")

    async def hangs() -> None:
        await asyncio.sleep(10)

    collectors.add(f"works-{name}", works)
    collectors.add(f"fails-{name}", fails)
    collectors.add(f"hangs-{name}", hangs)
    async with asyncio.timeout(2):
        await collectors.collect()  # never raises: the scrape is answered
    assert ran == ["works"]
    assert sample("apex_metrics_collect_failures_total", collector=f"fails-{name}") == 1
    assert sample("apex_metrics_collect_failures_total", collector=f"hangs-{name}") == 1
    assert sample("apex_metrics_collect_failures_total", collector=f"works-{name}") == 0
