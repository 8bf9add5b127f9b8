"""Canonical JSON: the bytes an entry's hash covers are the same wherever they are computed."""

import math

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from apex_audit.canonical import NotCanonical, canonical_json, ecmascript_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [  # RFC 8785, appendix B, and ECMAScript's Number.prototype.toString
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (-1.5, "-1.5"),
        (0.1, "0.1"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (123456789012.5, "123456789012.5"),
        (333333333.3333333, "333333333.3333333"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992.0, "9007199254740992"),
        (295147905179352830000.0, "295147905179352830000"),
        (4.35, "4.35"),
        (0.002, "0.002"),
    ],
)
def test_numbers_are_written_as_ecmascript_writes_them(value: float, expected: str) -> None:
    assert ecmascript_number(value) == expected.encode()


def test_objects_have_sorted_keys_and_no_whitespace() -> None:
    assert canonical_json({"b": [1, 2.0, True, None], "a": {"z": "x", "y": 1.5}}) == (
        b'{"a":{"y":1.5,"z":"x"},"b":[1,2,true,null]}'
    )


def test_keys_sort_by_utf16_code_units() -> None:
    # U+FF5E sorts after U+1F600 in code points, before it in UTF-16 (surrogates D83D...)
    text = canonical_json({"\uff5e": 1, "\U0001f600": 2, "a": 3}).decode()
    assert list(orjson.loads(text)) == ["a", "\U0001f600", "\uff5e"]


def test_strings_escape_only_quotes_backslashes_and_controls() -> None:
    assert canonical_json('"\\\n\x1f/é€') == b'"\\"\\\\\\n\\u001f/\xc3\xa9\xe2\x82\xac"'


def test_large_integers_are_doubles_as_in_json() -> None:
    assert canonical_json(2**53) == b"9007199254740992"
    assert canonical_json(2**60) == b"1152921504606847000"  # as JavaScript prints 2 ** 60


@pytest.mark.parametrize("value", [math.nan, math.inf, {1: "x"}, object()])
def test_values_without_a_json_form_are_refused(value: object) -> None:
    with pytest.raises(NotCanonical):
        canonical_json(value)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_parsing_and_writing_again_gives_the_same_bytes(value: object) -> None:
    once = canonical_json(value)
    assert canonical_json(orjson.loads(once)) == once
