"""Project rules without any server."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from apex_projects.domain import (
    canonical_json,
    check_version,
    decode_cursor,
    encode_cursor,
    fingerprint,
    like_pattern,
)
from apex_runtime.errors import Invalid, VersionConflict


def test_cursor_round_trips() -> None:
    at, project_id = datetime(2026, 11, 26, 5, 0, 0, 123456, tzinfo=UTC), uuid4()
    assert decode_cursor(encode_cursor(at, project_id)) == (at, project_id)


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90LWEtY3Vyc29y", "WzEsMiwzXQ"])
def test_damaged_cursor_is_invalid(cursor: str) -> None:
    with pytest.raises(Invalid):
        decode_cursor(cursor)


def test_stale_version_conflicts_and_matching_or_absent_passes() -> None:
    project_id = uuid4()
    check_version(project_id, 3, 3)
    check_version(project_id, 3, None)
    with pytest.raises(VersionConflict):
        check_version(project_id, 3, 2)


def test_canonical_json_sorts_keys_and_drops_spaces() -> None:
    assert (
        canonical_json({"b": 1, "a": [1, {"d": 2, "c": "é"}]})
        == '{"a":[1,{"c":"é","d":2}],"b":1}'.encode()
    )


def test_fingerprint_ignores_key_order() -> None:
    assert fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_nan_cannot_be_fingerprinted() -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_like_pattern_escapes_wildcards() -> None:
    assert like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"
