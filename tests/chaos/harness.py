"""The system as real processes, and the faults the chaos suite injects into it."""

import asyncio
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from ..fresh_state import recreate
from ..lifetime import die_with_parent

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_VERSION = (
    next(iter(sorted(os.listdir("/etc/postgresql"))), "15")
    if Path("/etc/postgresql").exists()
    else "15"
)

# Everything the chaos suite runs is kept apart from `make up` and the other tests.
CHAOS_ENV = {
    "APEX_ENVIRONMENT": "test",
    "APEX_DATABASE_URL": "postgresql+asyncpg://root@127.0.0.1:5432/apex_chaos",
    "APEX_AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/apex_chaos",
    "APEX_REDIS_URL": "redis://127.0.0.1:6379/6",
    "APEX_GATEWAY_PORT": "19080",
    "APEX_PROJECT_PORT": "19101",
    "APEX_SIGNAGE_PORT": "19102",
    "APEX_NOTIFICATION_PORT": "19103",
    "APEX_DOCUMENT_PORT": "19104",
    "APEX_AUDIT_PORT": "19105",
    "APEX_RATE_LIMIT_PER_MIN": "1000000",
    "APEX_RATE_LIMIT_BURST": "100000",
    "APEX_LOG_LEVEL": "WARNING",
}
VHOST = "apex_chaos"


@dataclass
class Service:
    name: str
    module: str
    port_setting: str
    process: asyncio.subprocess.Process | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = ROOT / "var" / "chaos" / f"{self.name}.log"

    @property
    def ready_url(self) -> str:
        return f"http://127.0.0.1:{CHAOS_ENV[self.port_setting]}/ready"


SERVICES = [
    Service("project-service", "apex_projects", "APEX_PROJECT_PORT"),
    Service("audit-service", "apex_audit", "APEX_AUDIT_PORT"),
    Service("gateway", "apex_gateway", "APEX_GATEWAY_PORT"),
]


def env() -> dict[str, str]:
    return {**os.environ, **CHAOS_ENV}


def prepare() -> None:
    """A fresh vhost, database and Redis database for the run."""
    recreate(env())


def ensure_port_free(service: Service) -> None:
    """Fail with the reason, not a bind error in a log, if something holds the port."""
    port = int(CHAOS_ENV[service.port_setting])
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise RuntimeError(f"port {port} for {service.name} is taken: {exc}") from exc


async def start(service: Service) -> None:
    service.log.parent.mkdir(parents=True, exist_ok=True)
    with service.log.open("ab") as log:
        service.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", service.module, env=env(), stdout=log, stderr=log,
            preexec_fn=die_with_parent,
        )  # fmt: skip
    await until_ready(service)


async def until_ready(service: Service, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(service.ready_url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if service.process is not None and service.process.returncode is not None:
                raise RuntimeError(f"{service.name} exited; see {service.log}")
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{service.name} not ready after {timeout_s} s")


async def kill9(service: Service) -> None:
    assert service.process is not None
    service.process.send_signal(signal.SIGKILL)
    await service.process.wait()


async def stop_all() -> None:
    for service in SERVICES:
        if service.process is not None and service.process.returncode is None:
            service.process.send_signal(signal.SIGTERM)
    for service in SERVICES:
        if service.process is not None:
            try:
                await asyncio.wait_for(service.process.wait(), 15)
            except TimeoutError:
                service.process.kill()


async def shell(*command: str, timeout_s: float = 120) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await asyncio.wait_for(process.wait(), timeout_s)


async def restart_rabbitmq() -> None:
    await shell("rabbitmqctl", "-q", "stop_app")
    await asyncio.sleep(1)
    await shell("rabbitmqctl", "-q", "start_app")
    await shell("rabbitmqctl", "-q", "await_startup")


ALARM_HOLD_S = 4.0


async def rabbitmq_eval(expression: str) -> str:
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "eval", expression, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return out.decode().strip()


async def memory_alarm() -> None:
    """RabbitMQ's memory alarm for a few seconds: every publishing connection is blocked."""
    before = await rabbitmq_eval("vm_memory_monitor:get_vm_memory_high_watermark().")
    await shell("rabbitmqctl", "-q", "set_vm_memory_high_watermark", "0.00001")
    try:
        await asyncio.sleep(ALARM_HOLD_S)
    finally:
        restore = before if before.replace(".", "", 1).isdigit() else "0.4"
        await shell("rabbitmqctl", "-q", "set_vm_memory_high_watermark", restore)


async def disk_alarm() -> None:
    """RabbitMQ's disk alarm for a few seconds: a free-disk limit above what the disk has."""
    before = await rabbitmq_eval("rabbit_disk_monitor:get_disk_free_limit().")
    await shell("rabbitmqctl", "-q", "set_disk_free_limit", str(10**16))
    try:
        await asyncio.sleep(ALARM_HOLD_S)
    finally:
        await shell(
            "rabbitmqctl", "-q", "set_disk_free_limit", before if before.isdigit() else "50000000"
        )


async def restart_redis() -> None:
    """Redis keeps nothing on disk here, so save on the way down and load on the way up."""
    await shell("redis-cli", "shutdown", "save")
    await asyncio.sleep(0.5)
    await shell(
        "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
        "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
        "--logfile", "/var/log/redis/ci.log",
    )  # fmt: skip
    for _ in range(100):
        probe = await asyncio.create_subprocess_exec(
            "redis-cli", "ping", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
        )
        out, _ = await probe.communicate()
        if out.strip() == b"PONG":
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("Redis did not come back")


async def restart_postgres() -> None:
    await shell("pg_ctlcluster", "--skip-systemctl-redirect", POSTGRES_VERSION, "main", "restart")
    await shell("pg_isready", "-h", "127.0.0.1", "-t", "30")
