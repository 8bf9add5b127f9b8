"""The container HEALTHCHECK: GET /health of whichever APEX process is PID 1.

One image runs every service (the command picks it), so this finds the service from PID 1's
command line (`python -m apex_projects`) and its port from the settings, exactly as the
process itself does: the gateway listens on APEX_GATEWAY_PORT, a service's side server on the
port its `build(settings)` chose. Exit 0 when /health answers 200, 1 otherwise.

Finding the port imports the service (about a second of CPU), so the URL is found once and
kept in /tmp, which lives as long as the container; later checks only ask it.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import urllib.request
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apex_runtime.settings import Settings

GATEWAY_MODULE = "apex_gateway"
SERVICES_GROUP = "apex.services"
ANY_ADDRESS = {"", "0.0.0.0", "::", "[::]"}
CACHE = Path(tempfile.gettempdir()) / "apex-health-url"


def module_of(cmdline: list[str]) -> str | None:
    """The module a `python -m <module>` command line runs, if it is one."""
    for i, arg in enumerate(cmdline[:-1]):
        if arg == "-m":
            return cmdline[i + 1]
    return None


def health_url(module: str, settings: Settings) -> str:
    """The /health URL of the process that runs `module` with these settings."""
    if module == GATEWAY_MODULE:
        host, port = settings.gateway_host, settings.gateway_port
    else:
        builds = [
            ep for ep in entry_points(group=SERVICES_GROUP) if ep.module.split(".")[0] == module
        ]
        if not builds:
            raise LookupError(f"{module} is no APEX service (entry points {SERVICES_GROUP!r})")
        runtime = builds[0].load()(settings)  # wiring only: nothing connects
        host, port = settings.side_host, runtime.port
    if host in ANY_ADDRESS:
        host = "127.0.0.1"
    return f"http://{host}:{port}/health"


def resolve() -> str | None:
    """The /health URL of PID 1, or None when PID 1 is not an APEX process."""
    from apex_runtime.settings import Settings  # imported only when the URL is not cached

    cmdline = Path("/proc/1/cmdline").read_bytes().split(b"\0")
    module = module_of([part.decode() for part in cmdline if part])
    return None if module is None else health_url(module, Settings())


def main(cache: Path = CACHE) -> int:
    try:
        url = cache.read_text().strip()
    except OSError:
        url = ""
    if not url:
        found = resolve()
        if found is None:
            print("PID 1 is not `python -m <service>`", file=sys.stderr)
            return 1
        url = found
        with contextlib.suppress(OSError):  # no writable /tmp: resolve again next time
            cache.write_text(url)
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # loopback only
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
