"""deploy/monitoring: the alert rules pass their promtool tests, the dashboard is what its
builder makes, and both (and docs/metrics.md) name only metrics the processes define."""

import importlib
import json
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

from apex_contracts.tasks import TaskState
from apex_contracts.topology import DEAD_LETTER_QUEUE

from .model import DEPLOY, REPO, services

MONITORING = DEPLOY / "monitoring"
ALERTS = MONITORING / "alerts.yaml"
ALERT_TESTS = MONITORING / "alerts.test.yaml"
DASHBOARD = MONITORING / "dashboard.json"
METRICS_DOC = REPO / "docs" / "metrics.md"
# Every module that defines metrics is imported by one of these (the whole wiring of each process)
PROCESSES = (
    "apex_gateway.app",
    "apex_projects.app",
    "apex_signage.app",
    "apex_documents.app",
    "apex_notifications.app",
    "apex_audit.app",
)
SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum"),
    "summary": ("_count", "_sum", ""),
}
# Prometheus's own series of each target
SCRAPE_SERIES = {"up"}
METRIC = re.compile(r"\b(apex_[a-z0-9_]+|up)\b(?!\s*\()")


@cache
def defined() -> dict[str, tuple[str, str]]:
    """Each series name an APEX process can export → (its metric's name, its type)."""
    for module in PROCESSES:
        importlib.import_module(module)
    names: dict[str, tuple[str, str]] = {}
    for family in REGISTRY.collect():
        if family.name.startswith("apex_"):
            for suffix in SUFFIXES[family.type]:
                names[family.name + suffix] = (family.name, family.type)
    return names


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail(
            "promtool is missing: it comes with Debian's package `prometheus`, which "
            "`make test` installs (scripts/system-packages.sh --test)",
            pytrace=False,
        )
    return path


def named_in(expr: str) -> set[str]:
    return set(METRIC.findall(expr)) - {"by", "without"}


def alert_expressions() -> dict[str, str]:
    rules = yaml.safe_load(ALERTS.read_text())
    return {r["alert"]: r["expr"] for g in rules["groups"] for r in g["rules"]}


def dashboard_expressions(model: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in model["panels"] for t in p.get("targets", [])]


def builder() -> Any:
    sys.path.insert(0, str(MONITORING))
    try:
        return importlib.import_module("dashboard")
    finally:
        sys.path.remove(str(MONITORING))


def test_the_alert_rules_are_valid_and_pass_their_tests() -> None:
    check = subprocess.run(
        [promtool(), "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stdout + check.stderr
    tests = subprocess.run(
        [promtool(), "test", "rules", ALERT_TESTS.name],
        cwd=MONITORING, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout + tests.stderr


def test_every_alert_is_tested_firing_and_quiet() -> None:
    cases = yaml.safe_load(ALERT_TESTS.read_text())["tests"]
    checks = [c for case in cases for c in case["alert_rule_test"]]
    for alert in alert_expressions():
        mine = [c for c in checks if c["alertname"] == alert]
        assert any(c["exp_alerts"] for c in mine), f"{alert} is never tested firing"
        assert any(not c["exp_alerts"] for c in mine), f"{alert} is never tested staying quiet"


def test_the_promtool_tests_catch_a_wrong_rule(tmp_path: Path) -> None:
    """A threshold changed in a copy of the rules makes `promtool test rules` fail."""
    broken = ALERTS.read_text().replace("apex_outbox_oldest_unsent_age_seconds) > 60", "x) > 60")
    assert broken != ALERTS.read_text()
    (tmp_path / ALERTS.name).write_text(broken)
    shutil.copy(ALERT_TESTS, tmp_path / ALERT_TESTS.name)
    tests = subprocess.run(
        [promtool(), "test", "rules", ALERT_TESTS.name],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert tests.returncode != 0 and "ApexOutboxStale" in tests.stdout + tests.stderr


def test_the_alerts_name_only_metrics_the_processes_export() -> None:
    for alert, expr in alert_expressions().items():
        unknown = named_in(expr) - defined().keys() - SCRAPE_SERIES
        assert not unknown, f"{alert} queries {unknown}, which no APEX process exports"


def test_the_queues_and_states_the_rules_and_the_dashboard_name_exist() -> None:
    """A label value that names nothing matches nothing: the panel or alert stays silent."""
    queues = {q for s in services({}) for q in s.queues} | {DEAD_LETTER_QUEUE}
    states = {s.value for s in TaskState}
    model = json.loads(DASHBOARD.read_text())
    for expr in [*alert_expressions().values(), *dashboard_expressions(model)]:
        for queue in re.findall(r'queue!?="([^"]+)"', expr):
            assert queue in queues, f"no queue {queue!r} ({expr})"
        for alternatives in re.findall(r'state=~?"([^"]+)"', expr):
            assert set(alternatives.split("|")) <= states, f"no such task state ({expr})"


def test_the_dashboard_is_what_its_builder_makes() -> None:
    assert DASHBOARD.read_text() == builder().as_json(), (
        "deploy/monitoring/dashboard.json is stale: run "
        ".venv/bin/python deploy/monitoring/dashboard.py"
    )


def test_the_dashboard_queries_only_metrics_the_processes_export() -> None:
    model = json.loads(DASHBOARD.read_text())
    expressions = dashboard_expressions(model)
    assert len(expressions) >= 20
    queried: set[str] = set()
    for expr in expressions:
        names = named_in(expr)
        unknown = names - defined().keys() - SCRAPE_SERIES
        assert not unknown, f"the dashboard queries {unknown} ({expr}), which nothing exports"
        queried |= {defined()[n][0] for n in names if n in defined()}
    for alert, expr in alert_expressions().items():  # what can page someone can be looked at
        missing = {defined()[n][0] for n in named_in(expr) if n in defined()} - queried
        assert not missing, f"{alert} watches {missing}, which no dashboard panel shows"


def test_docs_metrics_describes_every_metric_and_only_those() -> None:
    # each metric is a table row of its own: `name` (or `one` / `other`) in the first cell
    rows = re.findall(r"^\| `(apex_\w+)`(?: / `(apex_\w+)`)? \|", METRICS_DOC.read_text(), re.M)
    documented = {name for row in rows for name in row if name}
    exposed = {name + ("_total" if kind == "counter" else "") for name, kind in defined().values()}
    assert not exposed - documented, f"missing from docs/metrics.md: {exposed - documented}"
    assert not documented - exposed, (
        f"docs/metrics.md names what nothing defines: {documented - exposed}"
    )
