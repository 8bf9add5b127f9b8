"""HTTP load generator, run as its own process; prints one JSON line of results.

A minimal HTTP/1.1 keep-alive client on asyncio protocols (one request in flight per
connection, no pipelining) so the generator costs little CPU and is the same for every
server it drives. Modes:

  closed  N connections send back to back for a duration (throughput ceiling)
  rate    a fixed request rate spread over N connections; latency counts from the moment a
          request was due, so a stalled server cannot hide its queueing (no coordinated
          omission)
  e2e     N clients each create a project and poll its task until a final state
"""

import argparse
import asyncio
import time
from collections import Counter
from typing import Any
from uuid import uuid4

import orjson
from harness import summary

FINAL_STATES = {"SUCCESS", "FAILURE", "REVOKED"}


class Connection(asyncio.Protocol):
    """One keep-alive connection; `request` sends raw bytes and returns (status, body)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        at = head.find(b"content-length:")
        if at < 0:
            self._fail(ConnectionError("response without Content-Length"))
            return
        line_end = head.find(b"\r\n", at)
        length = int(head[at + 15 : line_end if line_end >= 0 else len(head)])
        total = end + 4 + length
        if len(self.buffer) < total:
            return
        status = int(head[9:12])
        body = bytes(self.buffer[end + 4 : total])
        del self.buffer[:total]
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((status, body))

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or ConnectionError("connection closed"))

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


async def connect(host: str, port: int) -> Connection:
    _, protocol = await asyncio.get_running_loop().create_connection(Connection, host, port)
    return protocol


SENT = Counter[str]()  # every request, warm-up included (for CPU per request)
POLLS = Counter[str]()
TOKEN: str | None = None  # set from --token: sent as a bearer token with every request


def http_request(
    method: str, host: str, port: int, path: str, body: bytes = b"", extra: str = ""
) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}"
    if TOKEN:
        head += f"Authorization: Bearer {TOKEN}\r\n"
    if body or method in ("POST", "PUT"):
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


class Requests:
    """The bytes of each request: the same every time, or with its own Idempotency-Key."""

    def __init__(self, args: argparse.Namespace) -> None:
        raw = http_request(args.method, args.host, args.port, args.path, args.body.encode())
        self.raw = raw
        self.keyed = args.idempotency_keys
        self.head, _, self.body = raw.partition(b"\r\n\r\n")
        self.prefix = f"\r\nIdempotency-Key: {uuid4().hex}-".encode()
        self.count = 0

    def next(self) -> bytes:
        if not self.keyed:
            return self.raw
        self.count += 1
        return b"".join((self.head, self.prefix, str(self.count).encode(), b"\r\n\r\n", self.body))


# --- closed loop -------------------------------------------------------------------------


async def closed_loop(args: argparse.Namespace) -> dict[str, Any]:
    requests = Requests(args)
    conns = [await connect(args.host, args.port) for _ in range(args.connections)]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    start = time.perf_counter()
    measure_from = start + args.warmup
    until = measure_from + args.duration

    async def worker(conn: Connection) -> None:
        while (sent := time.perf_counter()) < until:
            status, _ = await conn.request(requests.next())
            SENT["requests"] += 1
            if sent >= measure_from:
                statuses[status] += 1
                if status == args.expect:
                    latencies.append(time.perf_counter() - sent)

    await asyncio.gather(*(worker(c) for c in conns))
    return result(latencies, args.duration, statuses, args.expect)


# --- fixed rate --------------------------------------------------------------------------


async def fixed_rate(args: argparse.Namespace) -> dict[str, Any]:
    requests = Requests(args)
    conns = [await connect(args.host, args.port) for _ in range(args.connections)]
    due: asyncio.Queue[float | None] = asyncio.Queue()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    start = time.perf_counter() + 0.05
    measure_from = start + args.warmup
    total = int(args.rate * (args.warmup + args.duration))

    async def schedule() -> None:
        for i in range(total):
            at = start + i / args.rate
            delay = at - time.perf_counter()
            if delay > 0.0005:
                await asyncio.sleep(delay)
            due.put_nowait(at)
        for _ in conns:
            due.put_nowait(None)

    async def worker(conn: Connection) -> None:
        while (at := await due.get()) is not None:
            status, _ = await conn.request(requests.next())
            SENT["requests"] += 1
            if at >= measure_from:
                statuses[status] += 1
                if status == args.expect:
                    latencies.append(time.perf_counter() - at)

    began = time.perf_counter()
    await asyncio.gather(schedule(), *(worker(c) for c in conns))
    stats = result(latencies, args.duration, statuses, args.expect)
    stats["target_rate"] = args.rate
    stats["wall_s"] = round(time.perf_counter() - began, 3)
    return stats


# --- end to end --------------------------------------------------------------------------


async def create_and_wait(
    conn: Connection, args: argparse.Namespace, index: int
) -> tuple[float, str | None]:
    """POST one project, poll its task; (latency, project id or None when it failed)."""
    body = orjson.dumps({"name": f"bench sign {index}", "customer": "Bench Co"})
    prefer = f"Prefer: wait={args.prefer_wait}\r\n" if args.prefer_wait else ""
    started = time.perf_counter()
    post = http_request("POST", args.host, args.port, "/projects", body, prefer)
    status, raw = await conn.request(post)
    if status == 201:  # `Prefer: wait` saw SUCCESS: the body is the task, its result the project
        return time.perf_counter() - started, orjson.loads(raw)["result"]["result"]["project_id"]
    if status != 202:
        return time.perf_counter() - started, None
    accepted = orjson.loads(raw)["result"]
    poll = http_request("GET", args.host, args.port, accepted["status_url"])
    deadline = started + args.task_timeout
    while time.perf_counter() < deadline:
        await asyncio.sleep(args.poll_ms / 1000)
        status, raw = await conn.request(poll)
        POLLS["polls"] += 1
        state = orjson.loads(raw)["result"]["state"] if status == 200 else None
        if state in FINAL_STATES:
            ok = state == "SUCCESS"
            return time.perf_counter() - started, accepted["project_id"] if ok else None
    return time.perf_counter() - started, None


async def end_to_end(args: argparse.Namespace) -> dict[str, Any]:
    conns = [await connect(args.host, args.port) for _ in range(args.connections)]
    await run_projects(conns, args, range(args.warmup_count), [], [])  # warm-up, not measured
    latencies: list[float] = []
    created: list[str] = []
    POLLS.clear()
    started = time.perf_counter()
    failures = await run_projects(
        conns, args, range(args.warmup_count, args.warmup_count + args.count), latencies, created
    )
    elapsed = time.perf_counter() - started
    stats = summary(latencies, elapsed, failures)
    stats["polls_per_project"] = round(POLLS["polls"] / max(1, args.count), 2)
    stats["project_ids"] = created
    return stats


async def run_projects(
    conns: list[Connection],
    args: argparse.Namespace,
    indices: range,
    latencies: list[float],
    created: list[str],
) -> int:
    """Create every project in `indices` with one client per connection; the failure count."""
    todo = iter(indices)
    failures = 0

    async def client(conn: Connection) -> None:
        nonlocal failures
        for index in todo:
            latency, project_id = await create_and_wait(conn, args, index)
            if project_id is None:
                failures += 1
            else:
                latencies.append(latency)
                created.append(project_id)

    await asyncio.gather(*(client(c) for c in conns))
    return failures


# --- entry point -------------------------------------------------------------------------


def result(
    latencies: list[float], elapsed: float, statuses: Counter[int], expect: int
) -> dict[str, Any]:
    errors = sum(n for status, n in statuses.items() if status != expect)
    stats = summary(latencies, elapsed, errors)
    stats["statuses"] = {str(k): v for k, v in statuses.items()}
    return stats


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("closed", "rate", "e2e"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--method", default="POST")
    parser.add_argument("--path", default="/projects")
    parser.add_argument("--body", default='{"name": "Bench sign", "customer": "Bench Co"}')
    parser.add_argument("--token", help="bearer token for every request")
    parser.add_argument(
        "--idempotency-keys", action="store_true", help="a new Idempotency-Key on each request"
    )
    parser.add_argument("--expect", type=int, default=202, help="the status that counts")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--rate", type=float, default=1000.0, help="requests/s (rate mode)")
    parser.add_argument("--count", type=int, default=10_000, help="projects (e2e mode)")
    parser.add_argument("--warmup-count", type=int, default=200, help="unmeasured projects")
    parser.add_argument("--poll-ms", type=float, default=20.0, help="task poll interval")
    parser.add_argument("--prefer-wait", type=int, default=0, help="POST with Prefer: wait=N")
    parser.add_argument("--task-timeout", type=float, default=120.0, help="seconds per project")
    return parser.parse_args(argv)


def main() -> None:
    global TOKEN
    args = parse()
    TOKEN = args.token
    mode = {"closed": closed_loop, "rate": fixed_rate, "e2e": end_to_end}[args.mode]
    results = asyncio.run(mode(args))
    results["client_cpu_s"] = round(time.process_time(), 2)
    results["sent"] = SENT["requests"]
    print(orjson.dumps(results).decode())


if __name__ == "__main__":
    main()
