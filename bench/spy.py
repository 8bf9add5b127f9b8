"""Where a process's time goes, from a py-spy recording (`--format raw --full-filenames`).

Each line of the recording is `frame;frame;...;leaf count`, a frame being
`function (/path/to/file.py:line)`. Three views:
  - by layer: each sample is charged to the deepest frame that is not the standard library
    (so socket writes count for the client that made them; a pure-stdlib stack is the event
    loop itself),
  - by function, inclusive (the share of samples the function is on the stack for),
  - by function, self (the leaf).

Run alone: `python bench/spy.py RECORDING [--cpu-ms MS]`.
"""

import argparse
import asyncio
import os
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

from harness import BIN, Processes

_FRAME = re.compile(r"^(?P<func>.*) \((?P<path>[^()]*?)(?::(?P<line>\d+))?\)$")
_SITE = re.compile(r".*/(?:site-packages|src)/")
_STDLIB = re.compile(r"(?:/lib/python3\.\d+/(?!site-packages/)|^<frozen |^<string>$)")
SAMPLE_HZ = 250
# frames every busy sample shares (interpreter start-up, the event loop itself)
ROOTS = frozenset(
    {
        "_run_module_as_main",
        "_run_code",
        "<module>",
        "run_app",
        "run",
        "BaseEventLoop.run_until_complete",
        "BaseEventLoop.run_forever",
        "BaseEventLoop._run_once",
        "Handle._run",
        "Runner.run",
        "run_service",
    }
)
# a thread parked in one of these is waiting, not working (the event loop in epoll, idle
# worker threads of anyio or concurrent.futures)
IDLE_LEAVES = frozenset(
    {"EpollSelector.select", "Condition.wait", "Event.wait", "Queue.get", "Thread.join", "_worker"}
)

LAYERS = (
    ("opentelemetry", "OpenTelemetry (spans, context, instrumentation)"),
    ("prometheus_client", "Prometheus metrics"),
    ("aio_pika", "AMQP client (aio-pika/aiormq/pamqp)"),
    ("aiormq", "AMQP client (aio-pika/aiormq/pamqp)"),
    ("pamqp", "AMQP client (aio-pika/aiormq/pamqp)"),
    ("redis", "Redis client (redis-py asyncio)"),
    ("jwt", "JWT verification (PyJWT)"),
    ("pydantic", "pydantic validation / serialisation"),
    ("pydantic_core", "pydantic validation / serialisation"),
    ("aiohttp", "aiohttp (HTTP parsing, routing, responses)"),
    ("yarl", "aiohttp (HTTP parsing, routing, responses)"),
    ("multidict", "aiohttp (HTTP parsing, routing, responses)"),
    ("sqlalchemy", "SQLAlchemy (ORM, pool, asyncio adapter)"),
    ("sqlmodel", "SQLAlchemy (ORM, pool, asyncio adapter)"),
    ("greenlet", "SQLAlchemy (ORM, pool, asyncio adapter)"),
    ("asyncpg", "asyncpg (Postgres protocol)"),
    ("faststream", "FastStream (subscriber, middlewares, DI)"),
    ("fast_depends", "FastStream (subscriber, middlewares, DI)"),
    ("celery", "Celery / kombu / amqp"),
    ("kombu", "Celery / kombu / amqp"),
    ("amqp", "Celery / kombu / amqp"),
    ("apex_", "APEX code (handlers, middlewares, stores)"),
)


def executable() -> str:
    """The py-spy binary (PATH or the venv); exits with a hint when it is missing."""
    found = shutil.which("py-spy") or str(BIN / "py-spy")
    if not os.path.exists(found):
        sys.exit("profiling needs py-spy: .venv/bin/pip install py-spy")
    return found


async def record(procs: Processes, target: str, out: Path, delay_s: float, seconds: int) -> None:
    """Record `target` (a process `procs` started) for `seconds`, after `delay_s`."""
    await asyncio.sleep(delay_s)
    argv = [executable(), "record", "--pid", str(procs.pid(target)), "--duration", str(seconds)]
    argv += ["--rate", str(SAMPLE_HZ), "--format", "raw", "--full-filenames", "--function"]
    out.parent.mkdir(parents=True, exist_ok=True)
    await procs.start(f"py-spy-{target}", [*argv, "-o", str(out)])
    await procs.wait_exit(f"py-spy-{target}", seconds + 30)


def short(path: str) -> str:
    """`/…/site-packages/aiohttp/web.py` -> `aiohttp/web.py`; stdlib keeps its module path."""
    path = _SITE.sub("", path)
    return re.sub(r".*/lib/python3\.\d+/", "", path)


def parse_frame(frame: str) -> tuple[str, str]:
    """(function, full path) of one frame."""
    match = _FRAME.match(frame)
    return (match["func"], match["path"]) if match else (frame, "")


def load(path: Path) -> list[tuple[list[tuple[str, str]], int]]:
    samples = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            samples.append(([parse_frame(f) for f in stack.split(";")], int(count)))
    return samples


def layer_of(frames: list[tuple[str, str]]) -> str:
    for func, path in reversed(frames):
        if path and func not in ROOTS and not _STDLIB.search(path):
            module = short(path)
            for prefix, name in LAYERS:
                if module.startswith(prefix):
                    return name
            return f"other: {module.split('/')[0]}"
    return "event loop, sockets, other stdlib"


def label(func: str, path: str) -> str:
    return f"{func} ({short(path)})"


def tables(
    samples: list[tuple[list[tuple[str, str]], int]],
) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    total = 0
    layers: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    for frames, count in samples:
        if frames[-1][0] in IDLE_LEAVES:
            continue
        total += count
        layers[layer_of(frames)] += count
        for name in {label(f, p) for f, p in frames if f not in ROOTS}:
            inclusive[name] += count
        leaf[label(*frames[-1])] += count
    return total, layers, inclusive, leaf


def report(path: Path, cpu_ms: float | None = None, top: int = 20, unit: str = "request") -> str:
    """A text summary; with `cpu_ms` (CPU per request measured from /proc) each layer's share
    of it. py-spy's own clock counts runnable-but-waiting time too, so it only gives shares."""
    total, layers, inclusive, leaf = tables(load(path))
    if not total:
        return "no samples recorded"
    lines = [
        f"{total:,} busy samples at {SAMPLE_HZ} Hz (waiting in epoll or idle threads excluded)"
    ]
    if cpu_ms is not None:
        lines.append(f"{cpu_ms:.2f} ms of CPU per {unit} (from /proc), shared out by layer:")
    else:
        lines.append("by layer (deepest non-stdlib frame):")
    for name, n in layers.most_common():
        extra = f"  ~{cpu_ms * n / total:.3f} ms" if cpu_ms is not None else ""
        lines.append(f"  {100 * n / total:5.1f}%  {name}{extra}")
    lines.append("\ninclusive (on the stack), below the event loop:")
    lines += [f"  {100 * c / total:5.1f}%  {name}" for name, c in inclusive.most_common(top)]
    lines.append("\nself (leaf frames):")
    lines += [f"  {100 * c / total:5.1f}%  {name}" for name, c in leaf.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recording", type=Path)
    parser.add_argument("--cpu-ms", type=float, help="measured CPU ms per request")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    sys.stdout.write(report(args.recording, args.cpu_ms, args.top) + "\n")


if __name__ == "__main__":
    main()
