"""A service process: its broker, Redis, database, side server and background loops."""

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiohttp import web
from faststream.rabbit import RabbitBroker, RabbitExchange, RabbitQueue
from pydantic import BaseModel
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from apex_contracts import topology as t

from .amqp_client import BrokerClient
from .batches import BatchConsumer
from .broker import declare_topology, make_broker, routed
from .db import make_engine, make_sessions
from .heartbeat import beat_forever
from .inbox import Inbox
from .lifecycle import Hook, Lifecycle, name_of
from .outbox import EventPublisher, Outbox, OutboxRelay
from .queue_arguments import redeclare_changed_queues
from .redis_pool import redis_client
from .retention import Retention
from .retry import declare_delay_queues
from .scraped_metrics import QueueDepths, ScrapeCollectors, outbox_collector
from .settings import Settings
from .side_server import Check, side_app
from .status_store import StatusStore
from .tasks import ReportBacklog, TaskRunner
from .unit_of_work import BatchWork, UnitOfWork
from .worker_thread import WorkerThread

log = logging.getLogger(__name__)
LOOP_STOP_TIMEOUT_S = 2.0  # after the broker stopped: background loops only need to unwind


class ServiceRuntime:
    """The shared parts of one service; `app.py` registers its handlers on `broker`.

    `database_url` is for a service that logs in as a role of its own (default: the settings').
    """

    def __init__(
        self,
        name: str,
        settings: Settings,
        port: int,
        *,
        with_db: bool,
        database_url: str | None = None,
    ) -> None:
        if database_url is not None and not with_db:
            raise ValueError("a database_url needs with_db=True")
        self.name = name
        self.settings = settings
        self.port = port
        self.redis = redis_client(settings, name)
        self.status = StatusStore(self.redis, settings.task_ttl_s)
        self._retried_queues: list[str] = []
        self.backlog = ReportBacklog()
        self.broker: RabbitBroker = make_broker(settings, status=self.status)
        self.specification = RabbitBroker(settings.amqp_url)  # documents; never connects
        self.consumers: dict[str, BatchConsumer] = {}
        self.engine: AsyncEngine | None = make_engine(settings, database_url) if with_db else None
        self.checks: dict[str, Check] = {"broker": self._check_broker, "redis": self._check_redis}
        if self.engine is not None:
            self.checks["database"] = self._check_database
        self._loops: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = [
            ("report backlog", self.backlog.run),
            ("heartbeat", lambda: beat_forever(self.redis, name, self.checks)),  # /admin/status
        ]
        self._running: list[asyncio.Task[None]] = []
        self._lifecycle = Lifecycle(settings.shutdown_grace_s)
        self._query_client: BrokerClient | None = None
        self._site: web.AppRunner | None = None
        # read at each scrape of /metrics: the depth of every queue consumed here, dead letters
        self.collectors = ScrapeCollectors()
        self._queue_depths = QueueDepths(settings.amqp_url, self._measured_queues)
        self.collectors.add("queues", self._queue_depths.collect)

    def task_runner(self, queue: str) -> TaskRunner:
        """The runner for one consumer queue; its delay queues are declared at start."""
        self._retried_queues.append(queue)
        return TaskRunner(self.status, queue, self.settings.max_attempts, self.backlog)

    def unit_of_work(self, outbox: Table, inbox: Table) -> UnitOfWork:
        """Transactions with the service's outbox and inbox; their relay and retention run too."""
        assert self.engine is not None, "a unit of work needs the service's database"
        relay = OutboxRelay(
            self.engine,
            outbox,
            EventPublisher(self.settings.amqp_url),
            self.settings.outbox_poll_s,
            self.settings.outbox_sweep_after_s,
        )
        self.add_loop(relay.run)
        self.add_loop(Retention(self.engine, outbox, inbox, self.settings).run)
        self.collectors.add("outbox", outbox_collector(self.engine, outbox, inbox))
        return UnitOfWork(make_sessions(self.engine), Outbox(outbox), Inbox(inbox), relay)

    def batch_consumer(
        self,
        queue: RabbitQueue,
        exchange: RabbitExchange,
        uow: UnitOfWork,
        work: BatchWork,
        *,
        description: str,
    ) -> BatchConsumer:
        """A batched consumer of `queue`; add its routes with `route()` (see `batches`).

        FastStream declares and binds the queue; the AsyncAPI document describes each route's
        message through a broker that never connects (FastStream would consume a queue whose
        subscriber has handlers)."""
        self.broker.subscriber(queue, exchange, include_in_schema=False)
        described = self.specification.subscriber(
            queue, exchange, title=f"{queue.name}:{exchange.name}", description=description
        )
        consumer = BatchConsumer(
            queue.name,
            exchange.name,
            self.settings.amqp_url,
            uow,
            work,
            self.task_runner(queue.name),
            prefetch=self.settings.prefetch,
            batch_max=self.settings.batch_max,
            batch_wait_s=self.settings.batch_wait_s,
            describe=lambda key, model: described(filter=routed(key))(_description_of(key, model)),
        )
        self.add_loop(consumer.run)
        self.checks[queue.name] = consumer.check
        self.consumers[queue.name] = consumer
        return consumer

    @property
    def documented(self) -> list[RabbitBroker]:
        """The brokers whose wiring the AsyncAPI document describes."""
        return [self.broker, self.specification]

    def add_loop(
        self, loop: Callable[[], Coroutine[Any, Any, None]], *, every_s: float | None = None
    ) -> None:
        """A background coroutine (e.g. the outbox relay) that runs while the service runs.

        With `every_s`, `loop` is one round, run every `every_s` seconds (the first after one
        interval); a round that fails is logged and the next one runs on time."""
        if every_s is None:
            self._loops.append((name_of(loop), loop))
        else:
            self._loops.append((name_of(loop), lambda: _every(every_s, loop)))

    def on_start(self, hook: Hook) -> None:
        """Run `hook` at start, in registration order: once the broker is connected and the
        topology declared, before anything is consumed or any loop runs."""
        self._lifecycle.on_start(hook)

    def on_stop(self, hook: Hook) -> None:
        """Run `hook` at stop, in reverse registration order: once nothing is consumed and the
        loops have ended, before the database, Redis and broker connections close. All stop
        hooks together get `settings.shutdown_grace_s`; one that fails is logged."""
        self._lifecycle.on_stop(hook)

    def worker_thread(self, name: str) -> WorkerThread:
        """A thread for CPU-bound work (`await thread.run(fn, *args)`), shut down on stop."""
        thread = WorkerThread(name)
        self.on_stop(thread.shutdown)
        return thread

    def query_client(self) -> BrokerClient:
        """The client this service asks other services' queries with, its connection named
        after the service; connected on start, closed on stop."""
        if self._query_client is None:
            self._query_client = client = BrokerClient(
                self.settings.amqp_url, name=f"{self.name} queries"
            )
            self.on_start(client.connect)
            self.on_stop(client.close)
        return self._query_client

    async def start(self) -> None:
        await self.broker.connect()
        await declare_topology(self.broker)
        await redeclare_changed_queues(
            self.settings.amqp_url,
            [
                q
                for s in self.broker.subscribers
                if isinstance(q := getattr(s, "queue", None), RabbitQueue)
            ],
        )
        for queue in self._retried_queues:
            await declare_delay_queues(self.broker, queue)
        await self._lifecycle.start()
        await self.broker.start()
        self._running = [asyncio.create_task(loop(), name=name) for name, loop in self._loops]
        app = side_app(self.name, self.checks, self.collectors.collect)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self.settings.side_host, self.port).start()
        self._site = runner
        log.info("service started", extra={"service": self.name, "port": self.port})

    async def stop(self) -> None:
        """Stop consuming, let in-flight messages finish, then close every connection."""
        for consumer in self.consumers.values():  # stop taking batches; finish the one in hand
            await consumer.stop(self.settings.shutdown_grace_s)
        await self.broker.stop()  # waits for in-flight handlers up to graceful_timeout
        for task in self._running:
            task.cancel()
        if self._running:  # bounded: a loop that ignores its cancellation must not block exit
            _, stuck = await asyncio.wait(self._running, timeout=LOOP_STOP_TIMEOUT_S)
            for task in stuck:
                log.warning("a background loop did not stop", extra={"loop": task.get_name()})
        await self._lifecycle.stop()
        if self._site is not None:
            await self._site.cleanup()
        await self._queue_depths.close()
        if self.engine is not None:
            await self.engine.dispose()
        await self.redis.aclose()
        log.info("service stopped", extra={"service": self.name})

    def _measured_queues(self) -> list[str]:
        consumed = {
            q.name
            for s in self.broker.subscribers
            if isinstance(q := getattr(s, "queue", None), RabbitQueue)
        }
        return [*sorted(consumed), t.DEAD_LETTER_QUEUE]

    async def _check_broker(self) -> None:
        if not await self.broker.ping(timeout=1.0):
            raise ConnectionError("RabbitMQ does not answer")

    async def _check_redis(self) -> None:
        await self.redis.ping()

    async def _check_database(self) -> None:
        assert self.engine is not None
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))


def _description_of(routing_key: str, model: type[BaseModel]) -> Callable[..., Awaitable[None]]:
    """A handler that only documents: a `model` arrives with `routing_key`."""

    async def describe(body: BaseModel) -> None:
        raise NotImplementedError("documentation only")

    describe.__annotations__ = {"body": model, "return": None}
    describe.__name__ = "On" + "".join(
        part.title() for part in routing_key.replace("_", ".").split(".")
    )
    return describe


async def _every(interval_s: float, work: Callable[[], Awaitable[None]]) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await work()
        except Exception:
            log.exception("a periodic loop failed; it runs again", extra={"loop": name_of(work)})


async def serve_until_signalled(
    start: Callable[[], Awaitable[None]], stop: Callable[[], Awaitable[None]]
) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await start()
    await stopping.wait()
    await stop()
