"""Redaction of personal data, decided once at ingest: the hash covers the redacted form."""

import re
from dataclasses import dataclass
from typing import Any

REDACTED = "[redacted]"
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class Redactor:
    """Replaces the values of the named keys, and email addresses anywhere, in a payload."""

    fields: frozenset[str] = frozenset()
    emails: bool = False

    @classmethod
    def configured(cls, fields: str, emails: bool) -> "Redactor":
        """From settings: `fields` is a comma-separated list of payload keys."""
        return cls(frozenset(f.strip() for f in fields.split(",") if f.strip()), emails)

    @property
    def active(self) -> bool:
        return bool(self.fields) or self.emails

    def redact(self, payload: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The payload with personal data replaced, and the paths (`payload.a.0.b`) replaced."""
        if not self.active:
            return payload, ()
        paths: list[str] = []
        cleaned = self._walk(payload, "payload", paths)
        return cleaned, tuple(paths)

    def _walk(self, value: Any, path: str, paths: list[str]) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                here = f"{path}.{key}"
                if key in self.fields and item is not None:
                    out[key] = REDACTED
                    paths.append(here)
                else:
                    out[key] = self._walk(item, here, paths)
            return out
        if isinstance(value, list):
            return [self._walk(item, f"{path}.{i}", paths) for i, item in enumerate(value)]
        if self.emails and isinstance(value, str) and "@" in value:
            cleaned, found = EMAIL.subn(REDACTED, value)
            if found:
                paths.append(path)
                return cleaned
        return value
