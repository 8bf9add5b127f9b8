"""RabbitMQ for tests that raise its alarms or need queues of their own: `rabbitmqctl`, a vhost
with small queue bounds, project-service as a process in it."""

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import aio_pika
import pytest

from .conftest import System
from .out_of_process import start_project_service

RABBITMQCTL = shutil.which("rabbitmqctl")
needs_rabbitmqctl = pytest.mark.skipif(
    RABBITMQCTL is None, reason="rabbitmqctl is needed to raise RabbitMQ's alarms"
)


def rabbitmqctl(*args: str) -> str:
    assert RABBITMQCTL is not None
    done = subprocess.run([RABBITMQCTL, *args], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@contextmanager
def memory_alarm() -> Iterator[None]:
    """RabbitMQ's memory alarm for the block: every publishing connection is blocked."""
    before = rabbitmqctl("eval", "vm_memory_monitor:get_vm_memory_high_watermark().")
    rabbitmqctl("set_vm_memory_high_watermark", "0.00001")
    try:
        yield
    finally:
        restore = before if before.replace(".", "", 1).isdigit() else "0.4"
        rabbitmqctl("set_vm_memory_high_watermark", restore)


BOUND_VHOST = "apex_test_bounds"
BOUND_PORT = 18098
BOUND_SIDE_PORT = "18106"


@contextmanager
def own_vhost() -> Iterator[str]:
    """A vhost of its own, so its queues can be declared with a small bound."""
    subprocess.run([RABBITMQCTL or "rabbitmqctl", "delete_vhost", BOUND_VHOST], capture_output=True)
    rabbitmqctl("add_vhost", BOUND_VHOST)
    rabbitmqctl("set_permissions", "-p", BOUND_VHOST, "guest", ".*", ".*", ".*")
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{BOUND_VHOST}"
    finally:
        rabbitmqctl("delete_vhost", BOUND_VHOST)


async def queue_length(amqp_url: str, name: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(name, passive=True)
        return int(queue.declaration_result.message_count or 0)


@asynccontextmanager
async def project_service(system: System, amqp_url: str, **env: str) -> AsyncIterator[None]:
    process = await start_project_service(
        system, APEX_AMQP_URL=amqp_url, APEX_PROJECT_PORT=BOUND_SIDE_PORT, **env
    )
    try:
        yield
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 15)
