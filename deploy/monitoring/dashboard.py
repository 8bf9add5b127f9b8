"""Builds `dashboard.json`, APEX's Grafana dashboard, with grafana-foundation-sdk.

    .venv/bin/python deploy/monitoring/dashboard.py   # rewrites deploy/monitoring/dashboard.json

`tests/deploy/test_monitoring.py` fails when the checked-in JSON is not what this builds, or
when a query names a metric no APEX process defines (docs/metrics.md describes them).
"""

import json
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import dashboard, prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "dashboard.json"
UID = "apex-overview"
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
RATE = "$__rate_interval"


def query(expr: str, legend: str) -> prometheus.Dataquery:
    return (
        prometheus.Dataquery().expr(expr).legend_format(legend).datasource(DATASOURCE).ref_id("A")
    )


def graph(
    title: str, unit: str, *queries: prometheus.Dataquery, width: int = 12
) -> timeseries.Panel:
    panel = timeseries.Panel().title(title).unit(unit).datasource(DATASOURCE).height(8).span(width)
    for q in queries:
        panel = panel.with_target(q)
    return panel


def single(title: str, unit: str, expr: str, width: int = 6) -> stat.Panel:
    return (
        stat.Panel()
        .title(title)
        .unit(unit)
        .datasource(DATASOURCE)
        .height(4)
        .span(width)
        .with_target(query(expr, title))
    )


def quantile(q: float, metric: str, by: str = "") -> str:
    """The `q` quantile of a histogram's recent observations, by the labels `by`."""
    labels = f"le, {by}" if by else "le"
    return f"histogram_quantile({q}, sum by ({labels}) (rate({metric}_bucket[{RATE}])))"


def legend_of(by: str) -> str:
    return " ".join(f"{{{{{label.strip()}}}}}" for label in by.split(",")) if by else "all"


def rates(title: str, unit: str, metric: str, by: str, width: int = 12) -> timeseries.Panel:
    """Per-second rate of a counter, summed by the labels `by`."""
    expr = f"sum by ({by}) (rate({metric}[{RATE}]))"
    return graph(title, unit, query(expr, legend_of(by)), width=width)


def seconds(title: str, metric: str, by: str = "", width: int = 12) -> timeseries.Panel:
    """The 95th percentile of a histogram in seconds."""
    return graph(title, "s", query(quantile(0.95, metric, by), legend_of(by)), width=width)


def levels(title: str, unit: str, metric: str, by: str, width: int = 12) -> timeseries.Panel:
    """A gauge, the largest reported by any process, by the labels `by`."""
    return graph(title, unit, query(f"max by ({by}) ({metric})", legend_of(by)), width=width)


FAILED_SHARE = (
    f'sum by (kind) (rate(apex_tasks_transitions_total{{state="FAILURE"}}[{RATE}]))'
    f' / sum by (kind) (rate(apex_tasks_transitions_total{{state=~"SUCCESS|FAILURE"}}[{RATE}]))'
)


def build() -> dashboard.Dashboard:
    board = (
        dashboard.Dashboard("APEX")
        .uid(UID)
        .description("Messages, tasks, backlogs and each service's own work (docs/metrics.md)")
        .tags(["apex"])
        .refresh("30s")
        .time("now-1h", "now")
        .timezone("browser")
        .with_variable(
            dashboard.DatasourceVariable("datasource").label("Prometheus").type("prometheus")
        )
    )
    return (
        board.with_row(dashboard.Row("Health"))
        .with_panel(single("Targets up", "none", "sum(up)"))
        .with_panel(single("Targets down", "none", "count(up == 0) or vector(0)"))
        .with_panel(
            single("Dead letters", "none", 'max(apex_queue_messages{queue="apex.dead-letters"})')
        )
        .with_panel(
            single("Gateway blocked by RabbitMQ", "bool", "max(apex_gateway_broker_blocked)")
        )
        .with_row(dashboard.Row("Messages"))
        .with_panel(
            rates("Messages handled", "reqps", "apex_messages_handled_total", "queue, outcome")
        )
        .with_panel(seconds("Handling time (p95)", "apex_messages_handling_seconds", "queue"))
        .with_panel(
            graph(
                "Batch size (p50)",
                "none",
                query(quantile(0.5, "apex_batch_size_messages", "queue"), "{{queue}}"),
            )
        )
        .with_panel(levels("Queue depth", "none", "apex_queue_messages", "queue"))
        .with_row(dashboard.Row("Tasks"))
        .with_panel(rates("Task transitions", "ops", "apex_tasks_transitions_total", "kind, state"))
        .with_panel(
            graph("Share of ending tasks that fail", "percentunit", query(FAILED_SHARE, "{{kind}}"))
        )
        .with_row(dashboard.Row("Outbox and tables"))
        .with_panel(levels("Outbox backlog", "none", "apex_outbox_backlog_rows", "schema", 8))
        .with_panel(
            levels("Oldest unsent event", "s", "apex_outbox_oldest_unsent_age_seconds", "schema", 8)
        )
        .with_panel(
            graph(
                "Events refused by a full queue",
                "ops",
                query(f"sum(rate(apex_outbox_publish_refused_total[{RATE}]))", "refused"),
                width=8,
            )
        )
        .with_panel(levels("Inbox and outbox rows", "none", "apex_table_rows", "schema, table", 24))
        .with_row(dashboard.Row("Documents and notifications"))
        .with_panel(seconds("PDF render time (p95)", "apex_documents_render_seconds", "phase", 8))
        .with_panel(rates("Emails", "ops", "apex_notifications_emails_total", "outcome", 8))
        .with_panel(
            rates(
                "Webhook deliveries",
                "ops",
                "apex_notifications_webhook_deliveries_total",
                "outcome",
                8,
            )
        )
        .with_row(dashboard.Row("Audit"))
        .with_panel(seconds("Ingest lag (p95)", "apex_audit_ingest_lag_seconds"))
        .with_panel(
            single("Last verification (1 verified)", "none", "min(apex_audit_verify_last_result)")
        )
        .with_panel(
            single(
                "Broken verifications (1 h)",
                "none",
                'sum(increase(apex_audit_verifications_total{result="broken"}[1h])) or vector(0)',
            )
        )
        .with_row(dashboard.Row("Gateway"))
        .with_panel(rates("Requests", "reqps", "apex_gateway_requests_total", "status", 8))
        .with_panel(seconds("Request time (p95)", "apex_gateway_request_seconds", "route", 8))
        .with_panel(
            rates("Commands refused", "reqps", "apex_gateway_commands_refused_total", "reason", 8)
        )
    )


def as_json() -> str:
    """The dashboard as the JSON Grafana provisions, keys sorted, ending in a newline."""
    model: Any = build().build()
    for number, panel in enumerate(model.panels, start=1):  # Grafana keys panels by id
        panel.id_val = number
    return json.dumps(model, cls=JSONEncoder, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(as_json())
    print(f"wrote {OUTPUT.relative_to(HERE.parent.parent)}")
