"""Typed settings read once from `APEX_*` environment variables (docs/architecture.md, rule 7)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "apex-development-only-secret-do-not-deploy"
RELAXED_ENVIRONMENTS = frozenset({"development", "test"})
# An inbox row must outlive every copy of its message (retention.py): retries back off at most
# 30 s each, crash loops redeliver at once, a relay republishes on its next drain. An hour is
# far past all of them; shorter would let a late duplicate take effect twice.
INBOX_RETENTION_MIN_S = 3600


class Settings(BaseSettings):
    """Every knob of every service; defaults point at the local development services."""

    model_config = SettingsConfigDict(env_prefix="APEX_", extra="ignore")

    environment: str = "development"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    redis_url: str = "redis://127.0.0.1:6379/0"
    database_url: str = "postgresql+asyncpg://root@127.0.0.1:5432/apex"
    # Each process's Redis pool (apex_runtime.redis_pool): at most this many connections; a
    # checkout waits this long for one before the request is refused as busy (never a 500).
    redis_max_connections: int = Field(default=100, ge=2, le=10_000)
    redis_pool_timeout_s: float = Field(default=5.0, gt=0, le=60)

    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    side_host: str = "127.0.0.1"
    project_port: int = 8101
    signage_port: int = 8102
    notification_port: int = 8103
    document_port: int = 8104
    audit_port: int = 8105

    prefetch: int = Field(default=32, ge=1, le=1000)
    # Queue bounds (x-max-length, x-overflow: reject-publish): a command beyond its queue's bound
    # is refused (503, nothing enqueued); an event beyond it stays in its outbox and is retried.
    command_queue_max_length: int = Field(default=100_000, ge=1)
    event_queue_max_length: int = Field(default=1_000_000, ge=1)
    delivery_limit: int = Field(default=5, ge=1)  # crash loops: deliveries before apex.dead
    max_attempts: int = Field(default=5, ge=1)  # failed attempts of a task before FAILURE
    query_timeout_s: float = Field(default=5.0, gt=0, le=60)
    task_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    max_wait_s: float = Field(default=30.0, ge=0, le=30)
    shutdown_grace_s: float = Field(default=8.0, gt=0)
    outbox_poll_s: float = Field(default=0.5, gt=0)
    # The consumer that commits events publishes them at once; the relay sweeps rows left
    # unsent this long (the process died between commit and publish).
    outbox_sweep_after_s: float = Field(default=5.0, ge=0)
    # Batched consumers (apex_runtime.batches): up to batch_max messages per transaction, taken
    # from what has arrived; batch_wait_s > 0 lingers that long to fill a partial batch.
    batch_max: int = Field(default=32, ge=1, le=1000)
    batch_wait_s: float = Field(default=0.0, ge=0, le=1)
    # bounded tables (retention.py): old inbox rows and sent outbox rows are deleted in batches
    inbox_retention_s: int = 7 * 24 * 3600  # at least INBOX_RETENTION_MIN_S (validated below)
    outbox_sent_retention_s: int = Field(default=24 * 3600, ge=0)  # unsent rows are never deleted
    retention_batch: int = Field(default=1000, ge=1, le=100_000)  # rows per delete transaction
    retention_interval_s: float = Field(default=60.0, gt=0)  # between sweeps

    # audit-service: append-only, hash-chained, signed audit log
    audit_database_url: str | None = None  # None: database_url, logged in as role apex_audit
    audit_signing_key: str | None = None  # Ed25519: PEM, or the 32-byte seed as base64/hex
    audit_signing_key_file: str = "var/audit-signing.key"  # development only: generated here
    audit_trusted_keys: str = ""  # earlier public keys (comma-separated) still trusted
    audit_checkpoint_every: int = Field(default=1000, ge=1)  # entries per account
    audit_checkpoint_interval_s: float = Field(default=60.0, gt=0)
    audit_redact_fields: str = ""  # comma-separated payload keys, e.g. "pm_email,email"
    audit_redact_emails: bool = False  # redact every email address in payloads
    audit_prefetch: int = Field(default=1000, ge=1, le=20000)
    audit_batch_max: int = Field(default=500, ge=1, le=5000)
    # Linger to fill a batch: a transaction costs ~2 ms of CPU however few entries it holds,
    # so at 100 events/s 50 ms takes the cost per event from 3.0 to 1.2 ms (bench, 2026-11-26);
    # a full batch does not wait.
    audit_batch_wait_s: float = Field(default=0.05, ge=0, le=1)
    audit_verify_chunk: int = Field(default=250_000, ge=1)  # entries per audit.verify answer
    audit_verify_parallel: int = Field(default=2, ge=1, le=16)  # scans at once (cores)

    # document-service: calculation packages (PDF) and their store
    document_design_timeout_s: float = Field(default=3.0, gt=0, le=60)  # signage design query

    # notification-service: email to the PM over SMTP, webhooks
    smtp_host: str = "127.0.0.1"  # the local sink of `make up` (apex_notifications.smtp_sink)
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_tls: bool = False  # implicit TLS (port 465)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "APEX <noreply@apex.example.com>"
    smtp_timeout_s: float = Field(default=10.0, gt=0, le=120)
    email_max_attachment_mb: float = Field(default=10.0, ge=0)  # larger PDFs are linked
    public_base_url: str = "http://127.0.0.1:8080"  # the gateway as recipients reach it
    mail_dir: str = "var/mail"  # where the local SMTP sink writes .eml files
    webhook_allow_private: bool = False  # loopback, private, link-local targets (tests only)
    webhook_secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)  # encrypts stored secrets
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=60)
    # end notification-service

    # gateway: authentication, rate limits, idempotency, HTTP limits
    jwt_algorithm: Literal["HS256", "RS256", "ES256"] = "HS256"
    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    jwt_public_key: str | None = None  # PEM text or a path to a PEM file (RS256/ES256)
    jwt_jwks_file: str | None = None  # a JWKS document on disk (RS256/ES256)
    jwt_issuer: str = "apex"
    jwt_audience: str = "apex-api"
    api_key_pepper: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    rate_limit_per_min: int = Field(default=100, ge=1)
    rate_limit_burst: int = Field(default=20, ge=0)
    trusted_proxies: str = ""  # comma-separated addresses or CIDRs allowed to set X-Forwarded-For
    cors_allow_origins: str = "http://localhost:5173,http://127.0.0.1:5173"
    idempotency_ttl_s: int = Field(default=24 * 3600, ge=60)
    body_timeout_s: float = Field(default=10.0, gt=0)
    # The gateway's ceilings (apex_gateway.ceilings): beyond one, 503 + Retry-After before any
    # work. Each stream or wait holds a socket and no Redis connection while idle.
    max_sse_streams: int = Field(default=2000, ge=1)
    max_waits: int = Field(default=4000, ge=1)  # `?wait=N` and `Prefer: wait` at once
    # Commands between admission and RabbitMQ's confirm, per gateway process (shedding)
    max_commands_in_flight: int = Field(default=1000, ge=1)
    # A command sent and not confirmed in this time is answered 504 outcome_unknown
    command_confirm_timeout_s: float = Field(default=5.0, gt=0, le=60)

    otlp_endpoint: str | None = None
    # `apex trace <task_id>` prints this link: `{trace_id}` is replaced, or `/trace/<id>`
    # (Jaeger's form) is appended. The default is deploy/compose.yaml's Jaeger.
    tracing_ui_url: str = "http://localhost:16686"
    trace_sample_ratio: float | None = Field(default=None, ge=0, le=1)  # None: 1 when exporting
    sentry_dsn: str | None = None
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _inbox_outlives_redeliveries(self) -> "Settings":
        if self.inbox_retention_s < INBOX_RETENTION_MIN_S:
            raise ValueError(
                f"APEX_INBOX_RETENTION_S must be at least {INBOX_RETENTION_MIN_S} s: a message"
                " redelivered after its inbox row is deleted would take effect again"
            )
        return self

    @model_validator(mode="after")
    def _no_development_secrets_in_production(self) -> "Settings":
        if self.environment in RELAXED_ENVIRONMENTS:
            return self
        for name in ("jwt_secret", "api_key_pepper", "webhook_secret_key"):
            if getattr(self, name).get_secret_value() == DEVELOPMENT_SECRET:
                raise ValueError(f"APEX_{name.upper()} must be set outside development")
        return self

    def csv(self, name: str) -> list[str]:
        """A comma-separated setting as a list."""
        value: str = getattr(self, name)
        return [part.strip() for part in value.split(",") if part.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
