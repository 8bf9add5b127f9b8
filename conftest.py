"""Test set-up shared by every suite: a separate database, vhost, Redis db and ports.

`make test` runs against the real PostgreSQL, RabbitMQ and Redis; these defaults keep tests
away from the data of a running `make up`. Any of them can be overridden from the environment.
"""

import os

import pytest

from tests.fresh_state import recreate

TEST_ENVIRONMENT = {
    "APEX_DATABASE_URL": "postgresql+asyncpg://root@127.0.0.1:5432/apex_test",
    "APEX_AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/apex_test",
    "APEX_REDIS_URL": "redis://127.0.0.1:6379/1",
    "APEX_GATEWAY_PORT": "18080",
    "APEX_PROJECT_PORT": "18101",
    "APEX_SIGNAGE_PORT": "18102",
    "APEX_NOTIFICATION_PORT": "18103",
    "APEX_DOCUMENT_PORT": "18104",
    "APEX_AUDIT_PORT": "18105",
    "APEX_ENVIRONMENT": "test",
    # generous: the suite makes many requests as one user; rate-limit tests build their own
    "APEX_RATE_LIMIT_PER_MIN": "100000",
    "APEX_RATE_LIMIT_BURST": "10000",
    # notification-service: tests run their own aiosmtpd on this port and webhook receivers
    # on 127.0.0.1 (allowed here only; a test turns it off to see the refusal)
    "APEX_SMTP_HOST": "127.0.0.1",
    "APEX_SMTP_PORT": "18025",
    "APEX_SMTP_TIMEOUT_S": "5",
    "APEX_WEBHOOK_ALLOW_PRIVATE": "true",
    "APEX_WEBHOOK_TIMEOUT_S": "5",
    "APEX_MAIL_DIR": "var/test-mail",
}
for name, value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(name, value)


FRESH_STATE_SECONDS = pytest.StashKey[float]()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Every run starts from nothing: the test database, vhost and Redis database are dropped,
    re-created and migrated before any test of any package is collected."""
    try:
        seconds = recreate(os.environ)
    except RuntimeError as exc:
        raise pytest.UsageError(str(exc)) from None
    session.config.stash[FRESH_STATE_SECONDS] = seconds


def pytest_report_header(config: pytest.Config) -> str:
    seconds = config.stash.get(FRESH_STATE_SECONDS, None)
    return "" if seconds is None else f"fresh test state (database, vhost, Redis): {seconds:.1f} s"


def pytest_collection_modifyitems(items: list) -> None:  # type: ignore[type-arg]
    """Tests that read what the whole suite did (`suite_end`) run after the others; chaos
    tests restart RabbitMQ, Redis and PostgreSQL, so they run after everything else."""

    def place(item: pytest.Item) -> int:
        if item.get_closest_marker("chaos") is not None:
            return 2
        return 1 if item.get_closest_marker("suite_end") is not None else 0

    items.sort(key=place)
