"""signage.single_pole.design: sign → wind loads → recommended pole → footing, in one answer."""

from __future__ import annotations

from apex_contracts.signage import (
    PolesOptionsRequest,
    SinglePoleDesignReply,
    SinglePoleDesignRequest,
)
from apex_signage.cabinets import sign_loads
from apex_signage.catalogue import CATALOGUE_VERSION
from apex_signage.common import CODE_VERSION, make_trace, unique
from apex_signage.footing import footing
from apex_signage.pole_check import Check
from apex_signage.poles import run_options
from apex_signage.sign import ASD_WIND, geometry, sign_wind


def _chain_text(
    height: float, best: Check | None, vu: float, p_lbf: float, h_ft: float
) -> list[str]:
    on_pole = f" and on the {best.cand.sec.designation} pole" if best else ""
    out = [
        f"Single-pole chain: one centred pole {height:g} ft tall (the overall sign height), fixed "
        "at grade in a nonconstrained footing (no slab at grade, IBC 2018 §1807.3.2.1).",
        f"Footing load: P = 0.6 · {vu * 1000.0:.1f} lb = {p_lbf:.1f} lb, the ASD share (ASCE 7-16 "
        f"§2.4.1) of the wind on the sign{on_pole}, at h = M/V = {h_ft:.2f} ft above grade.",
    ]
    if best is None:
        out.append(
            "No pole was selected, so the footing carries the sign wind only; add the pole's own "
            "wind (ASCE 7-16 §29.4) once a pole is chosen."
        )
    return out


def design_single_pole(req: SinglePoleDesignRequest) -> SinglePoleDesignReply:
    """One centred pole as tall as the sign: the recommended section and its footing."""
    height = req.sign.overall_height_ft
    poles_req = PolesOptionsRequest(
        height_ft=height, num_poles=1, material=req.material, sign=req.sign, prefs=req.prefs
    )
    poles, shown, demand = run_options(poles_req)
    best = shown[0] if shown else None
    # LRFD shear and moment at grade (sign + pole wind) brought to ASD, ASCE 7-16 §2.4.1
    vu, mu = (best.vu, best.mu) if best else (demand.Vu, demand.Mu)
    p_lbf, h_ft = ASD_WIND * vu * 1000.0, mu / vu / 12.0
    b, soil = req.footing.diameter_ft, req.soil
    result, footing_texts, footing_data = footing(p_lbf, h_ft, b, soil, req.isolated, False, 1)
    geo = geometry(req.sign.overall_height_ft, req.sign.cabinets)
    loads = sign_loads(geo, sign_wind(geo, req.sign.site))
    rec = poles.recommended
    outputs = {
        "pole": rec.designation if rec else None,
        "min_depth_ft": result.min_depth_ft,
        "concrete_yards": result.concrete_yards,
        "Mu_kipin": loads.Mu_kipin,
    }
    intermediates = {
        "poles": poles.trace.intermediates,
        "footing": {"P_lbf": p_lbf, "h_ft": h_ft, **footing_data},
    }
    texts = _chain_text(height, best, vu, p_lbf, h_ft) + poles.assumptions + footing_texts
    return SinglePoleDesignReply(
        sign=loads,
        pole=rec,
        feasible_count=poles.feasible_count,
        footing=result,
        assumptions=unique(texts),
        code_version=CODE_VERSION,
        catalogue_version=CATALOGUE_VERSION,
        trace=make_trace(req.model_dump(mode="json"), intermediates, outputs),
    )
