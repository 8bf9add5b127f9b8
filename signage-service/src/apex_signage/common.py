"""Versions, rounding and trace helpers shared by the signage domain modules."""

from __future__ import annotations

from typing import Any

from apex_contracts.signage import Trace

# Codes implemented plus a revision of this code: changing either invalidates cached answers.
CODE_VERSION = "ASCE 7-16; AISC 360-16; IBC 2018; apex-signage r1"
TRACE_DIGITS = 6  # significant digits kept in trace data


def rnd(x: float, nd: int) -> float:
    """Round half-even to nd decimals; never returns -0.0."""
    return round(x, nd) + 0.0


def sig(x: float, digits: int = TRACE_DIGITS) -> float:
    """Round to significant digits (for trace values)."""
    return float(f"{x:.{digits}g}") + 0.0


def clean(value: Any) -> Any:
    """Round every float in nested dicts/lists to TRACE_DIGITS significant digits."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return sig(value)
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def make_trace(
    inputs: dict[str, Any], intermediates: dict[str, Any], outputs: dict[str, Any]
) -> Trace:
    return Trace(inputs=clean(inputs), intermediates=clean(intermediates), outputs=clean(outputs))


def unique(items: list[str]) -> list[str]:
    """Drop repeated sentences, keeping first occurrences in order."""
    return list(dict.fromkeys(items))
