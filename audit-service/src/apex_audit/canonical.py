"""Canonical JSON in the style of RFC 8785 (JCS): the exact bytes an entry's hash covers.

Objects have their keys sorted by UTF-16 code units, there is no whitespace, strings are
UTF-8 with only `"`, `\\` and control characters escaped, and numbers are IEEE-754 doubles
written as ECMAScript writes them (`1.0` is `1`, `1e21` is `1e+21`). Parsing canonical JSON
and writing it again gives the same bytes, so anyone can recompute a hash from an export.
"""

import math
from typing import Any

import orjson

MAX_EXACT_INTEGER = 2**53  # beyond this an integer is a double, as in JavaScript


class NotCanonical(ValueError):
    """The value has no canonical JSON form (NaN, infinity, a non-string key, a lone surrogate)."""


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 bytes of a JSON-compatible value."""
    try:
        return orjson.dumps(_prepared(value))
    except orjson.JSONEncodeError as exc:
        raise NotCanonical(str(exc)) from exc


def _prepared(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, dict):
        try:
            keys = sorted(value)
        except TypeError as exc:
            raise NotCanonical("object keys must be strings") from exc
        if keys and not isinstance(keys[0], str):
            raise NotCanonical("object keys must be strings")
        if not "".join(keys).isascii():  # code points and UTF-16 units order differently
            keys.sort(key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        return {k: _prepared(value[k]) for k in keys}
    if isinstance(value, (list, tuple)):
        return [_prepared(v) for v in value]
    if isinstance(value, int):
        if -MAX_EXACT_INTEGER <= value <= MAX_EXACT_INTEGER:
            return value
        return orjson.Fragment(ecmascript_number(float(value)))
    if isinstance(value, float):
        return orjson.Fragment(ecmascript_number(value))
    raise NotCanonical(f"{type(value).__name__} is not a JSON value")


def ecmascript_number(x: float) -> bytes:
    """A double as ECMAScript's Number.prototype.toString writes it (RFC 8785, 3.2.2.3)."""
    if math.isnan(x) or math.isinf(x):
        raise NotCanonical("NaN and infinity have no JSON form")
    if x == 0:
        return b"0"  # -0 too
    sign = "-" if x < 0 else ""
    digits, exponent = _shortest_digits(abs(x))  # value = 0.<digits> x 10^exponent
    k = len(digits)
    if k <= exponent <= 21:
        text = digits + "0" * (exponent - k)
    elif 0 < exponent <= 21:
        text = digits[:exponent] + "." + digits[exponent:]
    elif -6 < exponent <= 0:
        text = "0." + "0" * -exponent + digits
    else:
        e = exponent - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + ("e+" if e >= 0 else "e-")
        text += str(abs(e))
    return (sign + text).encode()


def _shortest_digits(x: float) -> tuple[str, int]:
    """The shortest digits that round-trip (Python's repr, like ECMAScript) and the exponent n
    with x = 0.d1d2... x 10^n."""
    mantissa, _, exp = repr(x).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    scale = int(exp or 0) - len(fraction)  # x = int(whole + fraction) x 10^scale
    stripped = digits.rstrip("0")
    scale += len(digits) - len(stripped)
    return stripped, len(stripped) + scale
