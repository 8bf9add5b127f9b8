"""deploy/Dockerfile, .dockerignore and deploy/healthcheck.py."""

import fnmatch
import http.server
import importlib.util
import re
import shlex
import threading
from pathlib import Path
from types import ModuleType

import pytest

from apex_runtime.settings import Settings

from .model import (
    DEPLOY,
    GATEWAY_MODULE,
    IMAGE_USER,
    REPO,
    run,
    services,
    setting_names,
    settings_from,
    tool,
    workspace_packages,
)

DOCKERFILE = DEPLOY / "Dockerfile"
WEASYPRINT_PACKAGES = {"libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"}
BUILD_TOOLS = {"gcc", "g++", "make", "build-essential", "python3-dev", "libpq-dev", "git"}


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last:]


def healthcheck_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("apex_healthcheck", DEPLOY / "healthcheck.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hadolint_passes() -> None:
    result = run(tool("hadolint"), "--no-color", str(DOCKERFILE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_mistake(tmp_path: Path) -> None:
    broken = tmp_path / "Dockerfile"
    broken.write_text(DOCKERFILE.read_text().replace("# hadolint ignore=DL3008\n", ""))
    result = run(tool("hadolint"), "--no-color", str(broken))
    assert result.returncode != 0 and "DL3008" in result.stdout


def test_image_holds_every_package_and_exposes_every_port() -> None:
    steps = instructions()
    copied = {shlex.split(args)[0].rstrip("/") for word, args in steps if word == "COPY"}
    missing = set(workspace_packages()) - copied
    assert not missing, f"the image lacks {sorted(missing)}"
    (expose,) = [args for word, args in final_stage() if word == "EXPOSE"]
    defaults = Settings.model_fields
    ports = {defaults["gateway_port"].default} | {s.port for s in services({})}
    assert {int(p) for p in expose.split()} == ports


def test_final_stage_is_slim_non_root_and_checked() -> None:
    stage = final_stage()
    assert stage[0][1] == "${PYTHON_IMAGE}"
    (base,) = [args for word, args in instructions() if word == "ARG" and "PYTHON_IMAGE" in args]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11-slim-\w+", base), base
    installs = " ".join(args for word, args in stage if word == "RUN" and "apt-get install" in args)
    words = set(installs.replace("&&", " ").split())
    assert words >= WEASYPRINT_PACKAGES, "WeasyPrint needs pango and a font"
    assert not words & BUILD_TOOLS, f"build tools in the final stage: {words & BUILD_TOOLS}"
    assert "--no-install-recommends" in words
    (user,) = [args for word, args in stage if word == "USER"]
    assert user == f"{IMAGE_USER}:{IMAGE_USER}"
    (check,) = [args for word, args in stage if word == "HEALTHCHECK"]
    assert 'CMD ["python", "/opt/apex/healthcheck.py"]' in check
    (cmd,) = [args for word, args in stage if word == "CMD"]
    assert cmd == f'["python", "-m", "{GATEWAY_MODULE}"]'
    env = " ".join(args for word, args in stage if word == "ENV")
    named = set(re.findall(r"\bAPEX_[A-Z0-9_]+", env))
    assert named <= setting_names(), f"unknown settings: {sorted(named - setting_names())}"


def test_dockerignore_lets_in_what_the_image_copies() -> None:
    rules = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        verdict = False
        for rule in rules:  # the last matching rule wins, as in Docker
            keep = rule.startswith("!")
            pattern = rule.lstrip("!").rstrip("/")
            candidates = [pattern, pattern.removeprefix("**/")]
            if any(fnmatch.fnmatch(path, c) or path.startswith(c + "/") for c in candidates):
                verdict = not keep
        return verdict

    sources = [
        shlex.split(args)[0].rstrip("/")
        for word, args in instructions()
        if word == "COPY" and not args.startswith("--from")
    ]
    for source in sources:
        assert not ignored(source), f".dockerignore leaves out {source}"
    for package in workspace_packages():
        assert not ignored(f"{package}/pyproject.toml") and not ignored(f"{package}/src/x.py")
    assert ignored(".venv") and ignored("tests") and ignored("runtime/tests")


def test_healthcheck_asks_each_process_on_its_own_port() -> None:
    healthcheck = healthcheck_module()
    env = {"APEX_SIDE_HOST": "0.0.0.0", "APEX_GATEWAY_HOST": "0.0.0.0", "APEX_AUDIT_PORT": "9105"}
    settings = settings_from(env)
    for service in services(env):
        cmdline = ["python", "-m", service.module]
        assert healthcheck.module_of(cmdline) == service.module
        url = healthcheck.health_url(service.module, settings)
        assert url == f"http://127.0.0.1:{service.port}/health", service.name
    assert healthcheck.module_of(["apex", "db", "migrate"]) is None
    with pytest.raises(LookupError):
        healthcheck.health_url("apex_nothing", settings)


def test_healthcheck_exit_code_follows_health(tmp_path: Path) -> None:
    """With the URL found (kept in /tmp), the check is one GET: 0 on 200, 1 otherwise."""
    healthcheck = healthcheck_module()

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/health" else 503)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        cache = tmp_path / "apex-health-url"
        cache.write_text(f"http://127.0.0.1:{server.server_port}/health")
        assert healthcheck.main(cache) == 0
        cache.write_text(f"http://127.0.0.1:{server.server_port}/ready")
        assert healthcheck.main(cache) == 1
    finally:
        server.shutdown()
        server.server_close()
    cache.write_text(f"http://127.0.0.1:{server.server_port}/health")  # nobody listens now
    assert healthcheck.main(cache) == 1
