"""The READMEs against the code: README's configuration table names every setting of the
Settings class, and no other, with the code's default; every relative link resolves.

How a default is compared (`stated` reads the README's cell, `default_problems` compares):

- a plain default (`str`, `int`, `float`, `bool`) must be stated as the code has it: a string
  as a code span at the start of the cell (`` `INFO` ``), the empty string as `empty`, a
  number bare and without thousands separators (`604800`; `5` matches `5.0`), a bool as
  `true` / `false`;
- a `None` default must be stated as `unset` (or `(none; ...)`);
- a `SecretStr` default is never compared: the cell says in words what it is (e.g.
  "development secret; required in production"), and the secret's value must not appear in
  the README at all;
- any other default (a list, a factory, a model) fails until this test is taught how the
  README states it.

Words after the value are free (`604800 (7 days)`).
"""

import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from .model import (
    README,
    REPO,
    link_target,
    markdown_anchors,
    markdown_links,
    readme_settings,
    readmes,
    setting_fields,
)

# Other READMEs that restate settings in a table of their own: (file, section). Their names
# and defaults are held to the code as the root README's are (not their completeness).
SETTINGS_TABLES = (
    (REPO / "notification-service" / "README.md", "Email"),
    (REPO / "notification-service" / "README.md", "Webhooks"),
)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?=\s|$)")


def stated(text: str) -> object:
    """What a default cell of the README says, as a value (see the module docstring)."""
    if code := re.match(r"`([^`]*)`", text):
        return code.group(1)
    word = text.split(" ", 1)[0].rstrip(";,")
    if word in ("unset", "(none"):
        return None
    if word == "empty":
        return ""
    if word in ("true", "false"):
        return word == "true"
    if number := NUMBER.match(text):
        value = number.group(0)
        return float(value) if "." in value else int(value)
    return text  # words: right only for a secret, which is not compared


def default_problems(documented: dict[str, str], readme_text: str) -> list[str]:
    """Each documented setting whose README default is not the code's."""
    problems = []
    fields = setting_fields()
    for name in sorted(documented.keys() & fields.keys()):
        default, text = fields[name].default, documented[name]
        said = stated(text)
        if isinstance(default, SecretStr):
            secret = default.get_secret_value()
            if secret and secret in readme_text:
                problems.append(f"{name}: README shows the secret default's value")
            continue
        if default is None:
            ok = said is None
        elif isinstance(default, bool):
            ok = isinstance(said, bool) and said is default
        elif isinstance(default, int | float):
            ok = isinstance(said, int | float) and not isinstance(said, bool) and said == default
        elif isinstance(default, str):
            ok = isinstance(said, str) and said == default
        else:
            problems.append(
                f"{name}: a default of type {type(default).__name__} ({default!r}); teach "
                "tests/deploy/test_readme.py how README states it"
            )
            continue
        if not ok:
            problems.append(f"{name}: README says {text!r}, the code's default is {default!r}")
    return problems


def broken_links(path: Path, root: Path = REPO) -> list[str]:
    """Each relative link of a Markdown file that does not resolve: a missing file or folder,
    one outside the repository, or an `#anchor` no heading of the target file makes."""
    problems, root = [], root.resolve()
    for line, target in markdown_links(path):
        where = f"{path.resolve().relative_to(root)}:{line}: {target!r}"
        resolved, anchor = link_target(path, target)
        if resolved is None:
            continue  # a URL with a scheme
        if not resolved.is_relative_to(root):
            problems.append(f"{where} points outside the repository")
        elif not resolved.exists():
            problems.append(f"{where}: {resolved.relative_to(root)} does not exist")
        elif anchor and resolved.suffix == ".md" and anchor not in markdown_anchors(resolved):
            problems.append(f"{where}: {resolved.name} has no heading #{anchor}")
        elif anchor and resolved.suffix != ".md":
            problems.append(f"{where}: an anchor into a file that is not Markdown")
        elif not target:
            problems.append(f"{where}: an empty link")
    return problems


# ---- the configuration table -------------------------------------------------------------


def test_readme_lists_every_setting_and_no_other() -> None:
    documented, known = set(readme_settings()), set(setting_fields())
    assert not known - documented, (
        f"README's configuration table lacks: {sorted(known - documented)} "
        "(add a row: variable, default, meaning)"
    )
    assert not documented - known, (
        f"README lists settings runtime/src/apex_runtime/settings.py lacks: "
        f"{sorted(documented - known)}"
    )


def test_readme_states_each_default_as_the_code_has_it() -> None:
    problems = default_problems(readme_settings(), README.read_text())
    assert not problems, "README's configuration table:\n" + "\n".join(problems)


def test_other_readmes_settings_tables_match_the_code() -> None:
    problems = []
    for path, title in SETTINGS_TABLES:
        documented = readme_settings(path, title)
        unknown = sorted(documented.keys() - setting_fields().keys())
        where = f"{path.relative_to(REPO)} section {title!r}"
        problems += [f"{where}: {name} is not a setting" for name in unknown]
        problems += [f"{where}: {p}" for p in default_problems(documented, path.read_text())]
    assert not problems, "\n".join(problems)


def test_the_default_check_catches_a_wrong_default(tmp_path: Path) -> None:
    broken = tmp_path / "README.md"
    broken.write_text(
        README.read_text()
        .replace("| `APEX_PREFETCH` | 32 |", "| `APEX_PREFETCH` | 64 |", 1)
        .replace("| `APEX_LOG_LEVEL` | `INFO` |", "| `APEX_LOG_LEVEL` | `DEBUG` |", 1)
        .replace("| `APEX_SENTRY_DSN` | unset |", "| `APEX_SENTRY_DSN` | empty |", 1)
    )
    problems = default_problems(readme_settings(broken), broken.read_text())
    assert [p.split(":")[0] for p in problems] == [
        "APEX_LOG_LEVEL",
        "APEX_PREFETCH",
        "APEX_SENTRY_DSN",
    ], problems


def test_stated_reads_each_form_of_default() -> None:
    assert stated("`127.0.0.1`") == "127.0.0.1"
    assert stated("empty") == ""
    assert stated("unset") is None
    assert stated("(none; required in production)") is None
    assert stated("false") is False
    assert stated("604800 (7 days)") == 604800
    assert stated("0.05") == 0.05
    assert stated("1,000") == "1,000"  # not a number: fails against an int default


# ---- links -------------------------------------------------------------------------------


def test_the_readmes_checked_are_the_projects() -> None:
    names = {str(p.relative_to(REPO)) for p in readmes()}
    assert {"README.md", "deploy/README.md", "bench/README.md"} <= names
    assert {"notification-service/README.md", "document-service/README.md"} <= names


def test_every_relative_link_in_the_readmes_resolves() -> None:
    problems = [problem for path in readmes() for problem in broken_links(path)]
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_the_link_check_catches_broken_links(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## Some `code`: here\n\n## Some `code`: here\n")
    page = tmp_path / "README.md"
    page.write_text(
        "# Page\n\n"
        "[fine](other.md#some-code-here-1) [fine](#page) [web](https://example.com)\n"
        "[missing](nowhere.md) [no such\nheading](other.md#nothing) [self](#absent)\n"
        "`[in code](nowhere.md)`\n\n"
        "```\n[in a fence](nowhere.md)\n```\n\n"
        "[ref]: ../outside.md\n"
    )
    problems = broken_links(page, root=tmp_path)
    assert [p.split(":")[1] for p in problems] == ["4", "5", "5", "12"], problems


SERVICE_TABLE_ROWS = ("consumes", "asks", "stores", "publishes", "answers", "HTTP (gateway)")


@pytest.mark.parametrize(
    "service",
    ["project-service", "signage-service", "document-service", "notification-service",
     "audit-service"],
)  # fmt: skip
def test_each_service_readme_has_its_message_table(service: str) -> None:
    """What a newcomer reads first: what the service consumes, asks, stores, publishes and
    answers, each row saying something."""
    text = (REPO / service / "README.md").read_text()
    for row in SERVICE_TABLE_ROWS:
        match = re.search(rf"^\| {re.escape(row)} \| (.+) \|$", text, re.MULTILINE)
        assert match is not None and match.group(1).strip(), f"{service}/README.md: no {row!r} row"
