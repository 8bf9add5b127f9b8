"""signage.footing.solve: embedment of a direct-burial pole footing, IBC 2018 §1807.3.2."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from apex_contracts.signage import (
    FootingIteration,
    FootingResult,
    FootingSolveReply,
    FootingSolveRequest,
    Soil,
)
from apex_signage.common import CODE_VERSION, make_trace, rnd
from apex_signage.concrete import cubic_yards

# IBC 2018 Table 1806.2: allowable lateral bearing, psf per ft of depth below natural grade
SOIL_CLASSES = {
    1: (1200.0, "crystalline bedrock"),
    2: (400.0, "sedimentary and foliated rock"),
    3: (200.0, "sandy gravel and/or gravel (GW, GP)"),
    4: (
        150.0,
        "sand, silty sand, clayey sand, silty gravel, clayey gravel (SW, SP, SM, SC, GM, GC)",
    ),
    5: (100.0, "clay, sandy clay, silty clay, clayey silt, silt, sandy silt (CL, ML, MH, CH)"),
}
ISOLATED_FACTOR = 2.0  # §1806.3.4: isolated poles (flagpoles, signs) may double the tabular value
PRESSURE_DEPTH_CAP_FT = 12.0  # §1807.3.2.1: d not over 12 ft for computing the lateral pressure
START_FT = 4.0  # first trial depth
RELAX = 2.0 / 3.0  # next trial d + RELAX (d_eq - d): Eq. 18-1 has slope -1..-0.5 in d, error / 3
TOLERANCE_FT = 1e-7
MAX_ITERATIONS = 200
DEEP_FT = 20.0


@dataclass(frozen=True)
class Solution:
    depth_ft: float
    iterations: list[FootingIteration]


def _trial(p: float, h: float, b: float, rate: float, d: float) -> tuple[float, float, float]:
    """S1 at d/3 (d capped at 12 ft), A = 2.34P/(S1 b), Eq. 18-1 d = 0.5A{1 + [1 + 4.36h/A]^½}."""
    s1 = rate * min(d, PRESSURE_DEPTH_CAP_FT) / 3.0
    a = 2.34 * p / (s1 * b)
    return s1, a, 0.5 * a * (1.0 + math.sqrt(1.0 + 4.36 * h / a))


def nonconstrained(p_lbf: float, h_ft: float, b_ft: float, rate: float) -> Solution:
    """IBC 2018 §1807.3.2.1 Eq. 18-1 by relaxed fixed-point iteration on the depth."""
    d, steps = START_FT, []
    for n in range(1, MAX_ITERATIONS + 1):
        s1, a, d_eq = _trial(p_lbf, h_ft, b_ft, rate, d)
        row = {"n": n, "d_ft": rnd(d, 4), "S_psf": rnd(s1, 2), "A_ft": rnd(a, 4)}
        steps.append(FootingIteration(**row, d_next_ft=rnd(d_eq, 4)))
        # beyond 12 ft S1 no longer depends on d, so d_eq is exact
        if abs(d_eq - d) <= TOLERANCE_FT or min(d, d_eq) >= PRESSURE_DEPTH_CAP_FT:
            return Solution(d_eq, steps)
        d += RELAX * (d_eq - d)
    raise ArithmeticError("IBC Eq. 18-1 did not converge")  # unreachable: each step cuts error 3x


def constrained(p_lbf: float, h_ft: float, b_ft: float, rate: float) -> Solution:
    """IBC 2018 §1807.3.2.2 Eq. 18-2 d² = 4.25 P h/(S3 b), S3 = rate·d: a closed-form cube root."""
    d = math.pow(4.25 * p_lbf * h_ft / (rate * b_ft), 1.0 / 3.0)
    if d > PRESSURE_DEPTH_CAP_FT:  # S3 stays at its 12 ft value
        d = math.sqrt(4.25 * p_lbf * h_ft / (rate * PRESSURE_DEPTH_CAP_FT * b_ft))
    s3 = rate * min(d, PRESSURE_DEPTH_CAP_FT)
    step = FootingIteration(n=1, d_ft=rnd(d, 4), S_psf=rnd(s3, 2), A_ft=None, d_next_ft=rnd(d, 4))
    return Solution(d, [step])


def ceil_to(x: float, step: float) -> float:
    """Round up to a multiple of step (a minimum depth never rounds down), ignoring float noise."""
    return math.ceil(x / step - 1e-6) * step


def soil_rate(soil: Soil) -> tuple[float, str]:
    if soil.soil_class is not None:
        rate, name = SOIL_CLASSES[soil.soil_class]
        return rate, f"IBC 2018 Table 1806.2 class {soil.soil_class} ({name}): {rate:g} psf/ft"
    given = soil.lateral_bearing_psf_per_ft
    assert given is not None
    return given, f"{given:g} psf/ft as given (in place of IBC Table 1806.2)"


METHOD_TEXT = {
    True: "Embedment per IBC 2018 §1807.3.2.2 Eq. 18-2 (constrained by a rigid floor or pavement "
    "at grade): d² = 4.25 P h/(S3 b), S3 at depth d, solved in closed form.",
    False: "Embedment per IBC 2018 §1807.3.2.1 Eq. 18-1 (nonconstrained): d = 0.5A{1 + [1 + "
    "4.36h/A]^½}, A = 2.34P/(S1 b), S1 at one-third of the depth; solved by fixed-point "
    "iteration from 4 ft (next trial d + 2/3 (d_Eq.18-1 - d)) to 1e-7 ft, rounded up to 0.01 ft.",
}


def footing_texts(
    constrained_: bool, isolated: bool, soil: str, b_ft: float, d: float
) -> list[str]:
    out = [
        METHOD_TEXT[constrained_],
        f"Lateral soil bearing: {soil}; the depth used for the pressure is not taken over 12 ft "
        "(§1807.3.2.1 read literally, conservative against the ICC Q&A reading that caps d/3).",
        "Lateral bearing doubled per IBC 2018 §1806.3.4: an isolated sign pole not adversely "
        "affected by ½ in motion at the ground surface."
        if isolated
        else "No IBC §1806.3.4 increase (isolated = false).",
        "IBC Table 1806.2 values are allowable, so P is an ASD load (0.6W, ASCE 7-16 §2.4.1); "
        "the one-third increase of IBC §1806.1 is not used.",
        f"b = {b_ft:g} ft is the diameter of a round concrete footing (IBC §1807.3.2.1; a square "
        "footing would use its diagonal); concrete = π b²/4 · depth · count / 27 cubic yards, "
        "no waste allowance.",
    ]
    if d > PRESSURE_DEPTH_CAP_FT:
        out.append(
            "The depth exceeds 12 ft: the pressure is held at its 12 ft value (§1807.3.2.1)."
        )
    if d > DEEP_FT:
        out.append(
            f"A depth over {DEEP_FT:g} ft is beyond usual drilled sign footings: consider a larger "
            "diameter or a designed foundation."
        )
    return out


def footing(
    p_lbf: float,
    h_ft: float,
    b_ft: float,
    soil: Soil,
    isolated: bool,
    constrained_: bool,
    poles: int,
) -> tuple[FootingResult, list[str], dict[str, Any]]:
    """Depth for the total ASD lateral load p_lbf at h_ft, shared by `poles` footings of b_ft."""
    rate, soil_text = soil_rate(soil)
    factor = ISOLATED_FACTOR if isolated else 1.0
    p_each = p_lbf / poles
    sol = (constrained if constrained_ else nonconstrained)(p_each, h_ft, b_ft, rate * factor)
    depth = ceil_to(sol.depth_ft, 0.01)
    result = FootingResult(
        method="constrained" if constrained_ else "nonconstrained",
        P_lbf=rnd(p_each, 1),
        h_ft=rnd(h_ft, 3),
        lateral_bearing_psf_per_ft=rate,
        min_depth_ft=rnd(depth, 2),
        min_depth_in=rnd(depth * 12.0, 1),
        diameter_ft=b_ft,
        concrete_yards=rnd(cubic_yards(b_ft, depth, poles), 2),
        iterations=sol.iterations,
    )
    texts = footing_texts(constrained_, isolated, soil_text, b_ft, sol.depth_ft)
    if poles > 1:
        texts.append(
            f"The lateral load is shared equally by {poles} poles, each on its own footing."
        )
    data = {"rate_psf_per_ft": rate, "increase_factor": factor, "P_each_lbf": p_each}
    return result, texts, {**data, "depth_exact_ft": sol.depth_ft}


def solve_footing(req: FootingSolveRequest) -> FootingSolveReply:
    """Minimum embedment of the footing(s) for P at h (or M at grade with h)."""
    texts = [
        "P_lbf and M_pole_kipft are taken as ASD (service-level) values: multiply a "
        "strength-level wind force by 0.6 (ASCE 7-16 §2.4.1) before entering it."
    ]
    if req.P_lbf is not None:
        p = req.P_lbf
    else:
        assert req.M_pole_kipft is not None
        p = req.M_pole_kipft * 1000.0 / req.h_ft
        texts.append(
            f"P = M/h = {req.M_pole_kipft:g} kip-ft / {req.h_ft:g} ft = {p:.1f} lb, the moment at "
            "grade over the height of the lateral force (IBC §1807.3.2.1 definitions)."
        )
    b, soil = req.diameter_ft, req.soil
    result, more, data = footing(p, req.h_ft, b, soil, req.isolated, req.constrained, req.num_poles)
    outputs = result.model_dump(mode="json", exclude={"iterations"})
    return FootingSolveReply(
        **result.model_dump(),
        assumptions=more + texts,
        code_version=CODE_VERSION,
        trace=make_trace(req.model_dump(mode="json"), {"P_lbf": p, **data}, outputs),
    )
