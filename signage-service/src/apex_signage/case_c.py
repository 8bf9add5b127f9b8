"""ASCE 7-16 Fig. 29.3-1 Case C: strip force coefficients for signs with B/s >= 2."""

from __future__ import annotations

from dataclasses import dataclass

# Block 1 (B/s = 2..10): regions from the windward edge in multiples of s; None = region absent
BLOCK1_BS = (2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0)
BLOCK1_REGIONS = ((0.0, 1.0), (1.0, 2.0), (2.0, 3.0), (3.0, 10.0))
BLOCK1 = (
    (2.25, 2.60, 2.90, 3.10, 3.30, 3.40, 3.55, 3.65, 3.75),
    (1.50, 1.70, 1.90, 2.00, 2.15, 2.25, 2.30, 2.35, 2.45),
    (None, 1.15, 1.30, 1.45, 1.55, 1.65, 1.70, 1.75, 1.85),
    (None, None, 1.10, 1.05, 1.05, 1.05, 1.05, 1.00, 0.95),
)
# Block 2 (B/s = 13 and >= 45)
BLOCK2_BS = (13.0, 45.0)
BLOCK2_REGIONS = (
    (0.0, 1.0),
    (1.0, 2.0),
    (2.0, 3.0),
    (3.0, 4.0),
    (4.0, 5.0),
    (5.0, 10.0),
    (10.0, 1e9),
)
BLOCK2 = (
    (4.00, 4.30),
    (2.60, 2.55),
    (2.00, 1.95),
    (1.50, 1.85),
    (1.35, 1.85),
    (0.90, 1.10),
    (0.55, 0.55),
)

MIN_BS = 2.0  # Case C is required only when B/s >= 2 (Fig. 29.3-1 note 3)


@dataclass(frozen=True)
class Strip:
    x0_ft: float  # from the windward edge
    x1_ft: float
    cf: float


def _block1(bs: float) -> list[tuple[float, float, float]]:
    """Regions (x0/s, x1/s, C_f) for 2 <= B/s <= 10, linear between columns.

    A region absent from the lower column takes the upper column's value; the last region runs to B.
    """
    j = max(i for i, v in enumerate(BLOCK1_BS) if v <= bs)
    k = min(j + 1, len(BLOCK1_BS) - 1)
    t = 0.0 if k == j else (bs - BLOCK1_BS[j]) / (BLOCK1_BS[k] - BLOCK1_BS[j])
    out = []
    for (x0, x1), row in zip(BLOCK1_REGIONS, BLOCK1, strict=True):
        hi = row[k]
        if x0 >= bs or hi is None:
            continue
        lo = row[j]
        cf = hi if lo is None else lo + (hi - lo) * t
        out.append((x0, x1, cf))
    return out


def _block2(bs: float) -> list[tuple[float, float, float]]:
    """Regions for B/s > 10: the B/s = 13 column up to 13 (larger, conservative), linear to 45."""
    t = min(max((bs - 13.0) / (45.0 - 13.0), 0.0), 1.0)
    return [
        (x0, x1, lo + (hi - lo) * t)
        for (x0, x1), (lo, hi) in zip(BLOCK2_REGIONS, BLOCK2, strict=True)
        if x0 < bs
    ]


def strips(b_ft: float, s_ft: float, s_over_h: float) -> list[Strip]:
    """Vertical strips tiling the width B with their C_f; x (1.8 - s/h) when s/h > 0.8 (note 4)."""
    bs = b_ft / s_ft
    if bs < MIN_BS:
        return []
    regions = _block1(bs) if bs <= 10.0 else _block2(bs)
    factor = 1.8 - s_over_h if s_over_h > 0.8 else 1.0
    out = []
    for i, (x0, x1, cf) in enumerate(regions):
        end = b_ft if i == len(regions) - 1 else min(x1 * s_ft, b_ft)
        out.append(Strip(x0 * s_ft, end, cf * factor))
    return out
