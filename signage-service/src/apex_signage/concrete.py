"""signage.concrete.yards: concrete volume of round footings."""

from __future__ import annotations

import math

from apex_contracts.signage import ConcreteYardsReply, ConcreteYardsRequest
from apex_signage.common import CODE_VERSION, make_trace, rnd

CUBIC_FT_PER_YARD = 27.0


def cubic_yards(diameter_ft: float, depth_ft: float, count: int = 1) -> float:
    """π d²/4 · depth · count / 27."""
    return math.pi / 4.0 * diameter_ft**2 * depth_ft * count / CUBIC_FT_PER_YARD


def concrete_yards(req: ConcreteYardsRequest) -> ConcreteYardsReply:
    """Volume of count cylindrical footings, in cubic yards (0.01 yd³)."""
    volume = cubic_yards(req.diameter_ft, req.depth_ft, req.count)
    return ConcreteYardsReply(
        cubic_yards=rnd(volume, 2),
        code_version=CODE_VERSION,
        assumptions=[
            "Volume of count cylinders, π d²/4 · depth · count / 27 cubic yards (1 yd³ = 27 "
            "ft³); no allowance for waste, over-excavation or bells (order quantities add them)."
        ],
        trace=make_trace(
            req.model_dump(mode="json"),
            {"cubic_feet": volume * CUBIC_FT_PER_YARD},
            {"cubic_yards": rnd(volume, 2)},
        ),
    )
