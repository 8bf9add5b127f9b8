"""Typed settings read once from `APEX_*` environment variables (DESIGN.md rule 7)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of every service; defaults point at the local development services."""

    model_config = SettingsConfigDict(env_prefix="APEX_", extra="ignore")

    environment: str = "development"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    redis_url: str = "redis://127.0.0.1:6379/0"
    database_url: str = "postgresql+asyncpg://root@127.0.0.1:5432/apex"

    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    side_host: str = "127.0.0.1"
    project_port: int = 8101
    signage_port: int = 8102
    notification_port: int = 8103
    document_port: int = 8104
    audit_port: int = 8105

    prefetch: int = Field(default=32, ge=1, le=1000)
    delivery_limit: int = Field(default=5, ge=1)
    query_timeout_s: float = Field(default=5.0, gt=0, le=60)
    task_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    max_wait_s: float = Field(default=30.0, ge=0, le=30)
    shutdown_grace_s: float = Field(default=8.0, gt=0)
    outbox_poll_s: float = Field(default=0.5, gt=0)

    otlp_endpoint: str | None = None
    sentry_dsn: str | None = None
    log_level: str = "INFO"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
