"""Project rules with no I/O: versions, cursors, payload fingerprints."""

import hashlib
import json
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from apex_contracts import pagination
from apex_runtime.errors import Invalid, VersionConflict

EDITABLE_STATUSES = frozenset({"draft", "changes_requested"})


def missing_for_submission(status: str, has_payload: bool, pm_email: str | None) -> list[str]:
    """What stands between a project and its submission, as sentences a person can act on."""
    missing = []
    if status not in EDITABLE_STATUSES:
        missing.append(f"the project is {status}; only draft or changes_requested can be submitted")
    if not has_payload:
        missing.append("no design payload is saved (POST /projects/{id}/payload)")
    if not pm_email:
        missing.append("no pm_email is set (PUT /projects/{id})")
    return missing


def child_task_id(parent_task_id: str, kind: str) -> str:
    """A child's task id, derived so a redelivered submission names the same children."""
    return str(uuid5(NAMESPACE_URL, f"apex:task:{parent_task_id}:{kind}"))


def check_version(project_id: UUID, current: int, expected: int | None) -> None:
    """Optimistic concurrency: a write names the version it read."""
    if expected is not None and expected != current:
        raise VersionConflict(
            f"project {project_id} is at version {current}, not {expected}; reload and retry"
        )


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the form a payload's SHA-256 is taken over."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def fingerprint(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def encode_cursor(created_at: datetime, project_id: UUID) -> str:
    return pagination.encode_cursor(created_at, str(project_id))


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    """The keyset position a cursor names; a damaged cursor is an `invalid` error."""
    try:
        created_at, project_id = pagination.decode_cursor(cursor)
        return created_at, UUID(project_id)
    except ValueError as exc:
        raise Invalid("cursor is not one this service issued") from exc


def like_pattern(q: str) -> str:
    """A case-insensitive substring pattern with LIKE's wildcards escaped."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
