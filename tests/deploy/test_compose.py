"""deploy/compose.yaml and deploy/.env.example: valid Compose, and the code's names and ports."""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from apex_audit.tables import WRITER_ROLE

from .model import (
    ANY_ADDRESS,
    DEPLOY,
    EXIT_BOUND_S,
    IMAGE_NAME,
    IMAGE_TAG,
    IMAGE_USER,
    documented_names,
    read_env_file,
    run,
    services,
    setting_names,
    settings_from,
    tool,
)

COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
HEALTHCHECK = ["CMD", "python", "/opt/apex/healthcheck.py"]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())  # resolves the << merges
    return data


def env_example() -> dict[str, str]:
    return read_env_file(ENV_EXAMPLE)


def seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, f"durations here are in seconds: {duration!r}"
    return float(match.group(1))


def check_compose_spec(path: Path) -> tuple[int, str]:
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path))
    return result.returncode, result.stdout + result.stderr


def test_compose_file_follows_the_compose_specification() -> None:
    code, output = check_compose_spec(COMPOSE)
    assert code == 0, output


def test_the_validator_rejects_a_broken_compose_file(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text(COMPOSE.read_text().replace("service_healthy", "service_is_healthy", 1))
    code, _ = check_compose_spec(broken)
    assert code != 0


def test_env_example_sets_every_setting_and_nothing_else() -> None:
    names, known = documented_names(ENV_EXAMPLE), setting_names()
    assert not known - names, f"settings .env.example lacks: {sorted(known - names)}"
    assert not names - known, f"not settings of the code: {sorted(names - known)}"
    settings = settings_from(env_example())  # values the code accepts
    assert settings.gateway_host in ANY_ADDRESS and settings.side_host in ANY_ADDRESS


def test_compose_names_no_setting_the_code_lacks() -> None:
    named = set(re.findall(r"\bAPEX_[A-Z0-9_]+", COMPOSE.read_text()))
    assert not named - setting_names(), f"unknown settings: {sorted(named - setting_names())}"


def test_each_service_runs_from_the_image_with_the_settings() -> None:
    stack = compose()["services"]
    env = env_example()
    for service in services(env):
        spec = stack.get(service.name)
        assert spec, f"compose.yaml has no service {service.name}"
        assert spec["image"] == f"{IMAGE_NAME}:{IMAGE_TAG}"
        assert spec["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
        assert spec["command"] == ["python", "-m", service.module]
        assert spec["env_file"][0] == {"path": ".env.example", "required": True}
        assert spec["user"] == f"{IMAGE_USER}:{IMAGE_USER}" and spec["read_only"] is True
        assert spec["healthcheck"]["test"] == HEALTHCHECK, service.name
        grace = seconds(spec["stop_grace_period"])
        assert grace > settings_from(env).shutdown_grace_s + EXIT_BOUND_S, service.name

        needs = spec["depends_on"]
        for infrastructure in ("rabbitmq", "redis"):
            assert needs[infrastructure] == {"condition": "service_healthy"}, service.name
        if service.uses_database:
            assert needs["postgres"] == {"condition": "service_healthy"}, service.name
            assert needs["migrate"] == {"condition": "service_completed_successfully"}
        assert all(
            need["condition"] in ("service_healthy", "service_completed_successfully")
            or name == "jaeger"  # traces are best effort: started is enough
            for name, need in needs.items()
        ), service.name
    apex = {
        name for name, spec in stack.items() if spec.get("image", "").startswith(IMAGE_NAME + ":")
    }
    assert apex == {s.name for s in services(env)} | {"migrate"}


def test_migration_runs_once_before_the_services() -> None:
    migrate = compose()["services"]["migrate"]
    assert migrate["command"] == ["apex", "db", "migrate"]
    assert migrate["restart"] == "no" and migrate["healthcheck"] == {"disable": True}
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_infrastructure_matches_the_urls_and_ports() -> None:
    stack = compose()["services"]
    settings = settings_from(env_example())
    urls = [settings.amqp_url, settings.redis_url, settings.database_url, settings.otlp_endpoint]
    urls.append(f"smtp://{settings.smtp_host}:{settings.smtp_port}")
    for url in urls:
        host = urlsplit(url).hostname
        assert host in stack, f"{url} names {host}, which compose.yaml does not run"
        if "healthcheck" not in stack[host]:
            assert host == "jaeger", f"{host} has no health check"
    assert stack["rabbitmq"]["image"].endswith("-management"), "RabbitMQ with its management UI"
    # The audit-service's writer role exists, with the password its URL carries.
    writer = urlsplit(settings.audit_database_url or "")
    assert writer.username == WRITER_ROLE and writer.hostname == "postgres"
    init = (DEPLOY / "postgres-init.sql").read_text()
    assert f"CREATE ROLE {WRITER_ROLE} LOGIN PASSWORD '{writer.password}';" in init
    assert (
        "./postgres-init.sql:/docker-entrypoint-initdb.d/apex.sql:ro"
        in stack["postgres"]["volumes"]
    )
    assert "--appendonly" in stack["redis"]["command"], "Redis with AOF persistence"
    assert urlsplit(settings.otlp_endpoint).port == 4318, "Jaeger takes OTLP over HTTP on 4318"
    published = {p.rsplit(":", 1)[-1] for spec in stack.values() for p in spec.get("ports", [])}
    assert published == {str(settings.gateway_port), "15672", "16686", "8025", "9090", "3000"}
    # Published on loopback only, so the stack runs beside `make up`'s services.
    assert all(p.startswith("127.0.0.1:") for s in stack.values() for p in s.get("ports", []))


def test_prometheus_scrapes_every_process_with_the_alert_rules_and_grafana_shows_them() -> None:
    stack = compose()["services"]
    # container path -> what is mounted there
    mounts = {v.split(":")[1]: v.split(":")[0] for v in stack["prometheus"]["volumes"]}
    assert mounts["/etc/prometheus/alerts.yaml"] == "./monitoring/alerts.yaml"
    config = yaml.safe_load((DEPLOY / mounts["/etc/prometheus/prometheus.yml"]).read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yaml"]
    targets = {
        job["job_name"]: target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    expected = {s.name: f"{s.name}:{s.port}" for s in services(env_example())}
    assert targets == expected
    grafana = stack["grafana"]["volumes"]
    assert "./monitoring/dashboard.json:/var/lib/grafana/dashboards/apex.json:ro" in grafana
