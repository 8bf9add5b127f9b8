"""signage.poles.options: every section of the chosen families checked, ranked, recommended."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from apex_contracts.signage import (
    FAMILIES,
    GRADE_FAMILIES,
    PoleOption,
    PolePrefs,
    PolesOptionsReply,
    PolesOptionsRequest,
    SignSpec,
)
from apex_signage import pole_text, wind
from apex_signage.cabinets import geometry_assumptions, wind_assumptions, wind_intermediates
from apex_signage.catalogue import CATALOGUE_VERSION
from apex_signage.common import CODE_VERSION, make_trace, rnd
from apex_signage.pole_check import (
    DEFLECTION_LIMIT,
    UTIL,
    Candidate,
    Check,
    Demand,
    Measure,
    Segment,
    WindCache,
    candidates,
    measure,
)
from apex_signage.sign import ASD_WIND, LRFD_WIND, Geometry, SignWind, geometry, sign_wind
from apex_signage.steel import DEFAULT_GRADE, E_KSI, PHI

Passing = tuple[Candidate, Measure]
SORT_KEYS: dict[str, Callable[[Passing], tuple[Any, ...]]] = {
    "weight": lambda p: (p[0].sec.weight_plf, p[0].sec.depth_in, p[0].sec.designation),
    "utilization": lambda p: (-p[1][UTIL], p[0].sec.weight_plf, p[0].sec.designation),
    "depth": lambda p: (p[0].sec.depth_in, p[0].sec.weight_plf, p[0].sec.designation),
}


def pole_segments(
    height_ft: float, bottom_ft: float, top_ft: float, spec: SignSpec
) -> tuple[Segment, ...]:
    """Exposed pole below and above the sign, q_z at each centroid (ASCE 7-16 §29.4)."""
    site = spec.site
    spans = [(0.0, min(height_ft, bottom_ft))] + (
        [(top_ft, height_ft)] if height_ft > top_ft else []
    )
    out = []
    for z0, z1 in spans:
        if z1 - z0 <= 1e-9:
            continue
        kz = wind.kz(0.5 * (z0 + z1), site.exposure)
        q = {
            s: wind.velocity_pressure(kz, site.kzt, kd, site.ke, site.wind_speed_mph)
            for s, kd in wind.KD_POLE.items()
        }
        out.append(Segment(z0, z1, q))
    return tuple(out)


def sign_demand(
    height_ft: float, num_poles: int, spec: SignSpec
) -> tuple[Demand, Geometry, SignWind]:
    """LRFD actions of the sign wind on one of num_poles poles, plus the exposed pole lengths."""
    geo = geometry(spec.overall_height_ft, spec.cabinets)
    w = sign_wind(geo, spec.site)
    n = float(num_poles)
    torsion = LRFD_WIND * w.T_kipft * 12.0 if num_poles == 1 else 0.0
    demand = Demand(
        L_in=12.0 * height_ft,
        Mu=LRFD_WIND * w.M_kipft * 12.0 / n,
        Vu=LRFD_WIND * w.F_lb / 1000.0 / n,
        Tu=torsion,
        a_in=12.0 * w.z_F_ft,
        segments=pole_segments(height_ft, geo.bottom_ft, geo.top_ft, spec),
    )
    return demand, geo, w


def loads_demand(req: PolesOptionsRequest) -> Demand:
    assert req.loads is not None
    length, n = 12.0 * req.height_ft, float(req.num_poles)
    mu = req.loads.M_kipin / n
    vu = req.loads.V_kip / n if req.loads.V_kip is not None else mu / length
    return Demand(L_in=length, Mu=mu, Vu=vu, Tu=0.0, a_in=mu / vu)


def grades_by_family(prefs: PolePrefs) -> dict[str, str]:
    """steel_grade keeps the families made in it and sets their Fy; else each default grade."""
    fams = sorted(set(prefs.family), key=FAMILIES.index)
    if prefs.steel_grade is None:
        return {f: DEFAULT_GRADE[f] for f in fams}
    return {f: prefs.steel_grade for f in fams if f in GRADE_FAMILIES[prefs.steel_grade]}


def evaluate(demand: Demand, prefs: PolePrefs) -> tuple[list[Passing], int]:
    """Every section of the families and grades: the passing ones, sorted, and the count checked."""
    passing: list[Passing] = []
    evaluated = 0
    limit = prefs.max_depth_in
    cache: WindCache = {}
    for family, grade in grades_by_family(prefs).items():
        for cand in candidates(family, grade):
            if limit is not None and cand.sec.depth_in > limit:
                continue
            evaluated += 1
            m = measure(cand, demand, cache, screen=True)
            if m is not None:
                passing.append((cand, m))
    passing.sort(key=SORT_KEYS[prefs.sort_by])
    return passing, evaluated


def to_option(c: Check) -> PoleOption:
    s = c.cand.sec
    return PoleOption(
        designation=s.designation,
        family=s.family,
        grade=c.cand.grade.name,
        Fy_ksi=c.cand.fy,
        weight_plf=s.weight_plf,
        depth_in=s.depth_in,
        Sx_in3=rnd(s.Sx, 3),
        Zx_in3=rnd(s.Zx, 3),
        Ix_in4=rnd(s.Ix, 3),
        compactness=c.cand.flex.compactness,
        limit_state=c.limit_state,
        phiMn_kipin=rnd(c.phi_mn, 1),
        Mu_kipin=rnd(c.mu, 1),
        utilization=rnd(c.utilization, 3),
        deflection_in=rnd(c.deflection_in, 2),
        deflection_limit_in=rnd(c.limit_in, 2),
        passes=c.passes,
    )


def check_trace(c: Check) -> dict[str, Any]:
    f = c.cand.flex
    return {
        "lambda": f.lam,
        "lambda_p": f.lam_p,
        "lambda_r": f.lam_r,
        "class": f.compactness,
        "Mn_kipin": c.phi_mn / PHI,
        "limit_state": c.limit_state,
        "Lp_in": None if math.isinf(c.cand.lp) else c.cand.lp,
        "Mu_kipin": c.mu,
        "Vu_kip": c.vu,
        "flexure_ratio": c.ratio_m,
        "shear_ratio": c.ratio_v,
        "torsion_ratio": c.ratio_t,
        "H3_6": c.combined,
        "deflection_in": c.deflection_in,
    }


def required_ix(demand: Demand) -> float:
    """I_x that meets the deflection limit under the sign load alone, in⁴."""
    return ASD_WIND * demand.sign_shape / (E_KSI * DEFLECTION_LIMIT * demand.L_in)


def warm_up() -> int:
    """Load the catalogue and precompute every family/grade capacity (call once at start-up)."""
    return sum(len(candidates(f, g)) for g, fams in GRADE_FAMILIES.items() for f in fams)


def pole_options(req: PolesOptionsRequest) -> PolesOptionsReply:
    """Rank the catalogue for the pole (steel), or say why nothing is offered (aluminum)."""
    return run_options(req)[0]


def _demand(req: PolesOptionsRequest) -> tuple[Demand, list[str], dict[str, Any]]:
    """The demand of the request with the sign's assumptions and trace data."""
    if req.sign is None:
        return loads_demand(req), [], {}
    demand, geo, w = sign_demand(req.height_ft, req.num_poles, req.sign)
    text = geometry_assumptions(geo, any(c.z_offset_ft is None for c in req.sign.cabinets))
    return demand, text + wind_assumptions(geo, req.sign.site, w), {"sign": wind_intermediates(w)}


def _intermediates(demand: Demand, grades: dict[str, str], shown: list[Check]) -> dict[str, Any]:
    segments = [[s.z0_ft, s.z1_ft, s.qz_by_shape] for s in demand.segments]
    return {
        "demand": {"L_in": demand.L_in, "Mu_kipin": demand.Mu, "Vu_kip": demand.Vu,
                   "Tu_kipin": demand.Tu, "a_in": demand.a_in, "pole_segments": segments},
        "grades": grades,
        "required_Ix_in4": required_ix(demand),
        "checks": {c.cand.sec.designation: check_trace(c) for c in shown},
    }  # fmt: skip


def run_options(req: PolesOptionsRequest) -> tuple[PolesOptionsReply, list[Check], Demand]:
    """pole_options, with the shown checks and the demand for the single-pole chain."""
    demand, assumptions, intermediates = _demand(req)
    assumptions += pole_text.demand(req, demand)
    steel = req.material == "steel"
    grades = grades_by_family(req.prefs) if steel else {}
    passing, evaluated = evaluate(demand, req.prefs) if steel else ([], 0)
    shown = [Check(c, *m) for c, m in passing[: req.prefs.max_options]]
    if steel:
        assumptions += pole_text.steel(req.prefs, grades, demand, shown, required_ix(demand))
    else:
        assumptions += pole_text.aluminum(demand)
    intermediates.update(_intermediates(demand, grades, shown))
    options = [to_option(c) for c in shown]
    rec = options[0] if options else None
    outputs = {
        "recommended": rec.designation if rec else None,
        "feasible_count": len(passing),
        "evaluated_count": evaluated,
        "options": [o.designation for o in options],
    }
    reply = PolesOptionsReply(
        options=options,
        recommended=rec,
        feasible_count=len(passing),
        evaluated_count=evaluated,
        assumptions=assumptions,
        code_version=CODE_VERSION,
        catalogue_version=CATALOGUE_VERSION,
        trace=make_trace(req.model_dump(mode="json"), intermediates, outputs),
    )
    return reply, shown, demand
