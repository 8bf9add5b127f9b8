"""signage.cabinets.derive: sign area, centroids and weight; with a site, ASCE 7-16 wind."""

from __future__ import annotations

from typing import Any

from apex_contracts.signage import CabinetsDeriveReply, CabinetsDeriveRequest, SignLoads, Site
from apex_signage import wind
from apex_signage.common import CODE_VERSION, make_trace, rnd
from apex_signage.sign import ASD_WIND, LRFD_WIND, CaseC, Geometry, SignWind, geometry, sign_wind


def geometry_assumptions(geo: Geometry, any_stacked: bool) -> list[str]:
    bottom, top = rnd(geo.bottom_ft, 3), rnd(geo.top_ft, 3)
    out = [
        "The cabinets form one solid sign face centred on the pole: A_s is the sum of the "
        f"cabinet areas, s the vertical extent ({bottom:g} to {top:g} ft) and B the widest "
        "cabinet, as ASCE 7-16 Fig. 29.3-1 defines them.",
        "The weight is the cabinet area times weight_psf (10 psf unless given); it is reported "
        "for the dead load (ASCE 7-16 §2.3.1) but does not change the wind moment, and depth_in "
        "is not used.",
    ]
    if any_stacked:
        out.append(
            "A cabinet without z_offset_ft hangs directly under the cabinet listed before it, the "
            "first with its top at overall_height_ft (the top of the sign, h of ASCE 7-16 §29.3.1)."
        )
    if geo.solidity < 0.7:
        out.append(
            f"The cabinets fill only {geo.solidity:.0%} of their bounding rectangle: ASCE 7-16 "
            "§29.3 treats a sign with 30 % or more openings as an open sign (§29.4); the "
            "solid-sign coefficients used here are an upper bound, the open-sign check is left "
            "to the engineer."
        )
    return out


def _case_text(w: SignWind) -> list[str]:
    raised = "; raised 0.05 s as the sign reaches the ground (s/h = 1)" if w.raise_ft else ""
    out = [
        f"Case A acts at the area centroid, z = {w.z_A_ft:.2f} ft (ASCE 7-16 Fig. 29.3-1){raised}.",
        "Case B puts the same force 0.2 B off centre (ASCE 7-16 Fig. 29.3-1), a torsion "
        "T = 0.2 B F on a centred pole; B is the widest cabinet (conservative against the "
        "figure's average width).",
    ]
    if w.case_c is None:
        return [*out, "Case C is not required because B/s < 2 (ASCE 7-16 Fig. 29.3-1)."]
    cfs = ", ".join(f"{s.cf:.2f}" for s in w.case_c.strips)
    text = (
        f"Case C is required because B/s = {w.bs_max:.2f} >= 2 (ASCE 7-16 Fig. 29.3-1): strips "
        f"of width s from the windward edge with C_f = {cfs} (times 1.8 - s/h when s/h > 0.8, "
        f"no return corner); Case {w.moment_case} governs the moment and Case "
        f"{w.torsion_case} the torsion."
    )
    return [*out, text]


def wind_assumptions(geo: Geometry, site: Site, w: SignWind) -> list[str]:
    alpha, zg = wind.TERRAIN[site.exposure]
    return [
        f"V = {site.wind_speed_mph:g} mph is the ultimate (strength-level) basic wind speed of "
        "ASCE 7-16 Fig. 26.5-1: LRFD uses 1.0W (§2.3.1) and the ASD values (soil, deflection) "
        "use 0.6W (§2.4.1).",
        "q_h = 0.00256 K_z K_zt K_d K_e V² (ASCE 7-16 Eq. 26.10-1) at the top of the sign, "
        f"h = {geo.h_ft:g} ft (§29.3.1).",
        f"K_z = 2.01 (z/z_g)^(2/alpha) with alpha = {alpha:g}, z_g = {zg:g} ft for exposure "
        f"{site.exposure} (ASCE 7-16 Table 26.11-1, Table 26.10-1 note); z under 15 ft is 15 ft.",
        "K_d = 0.85 for solid freestanding signs (ASCE 7-16 Table 26.6-1); "
        f"K_zt = {site.kzt:g} (§26.8) and K_e = {site.ke:g} (Table 26.9-1) as given.",
        "G = 0.85 for a rigid structure (ASCE 7-16 §26.11.1); a flexible sign structure "
        "(natural frequency below 1 Hz) needs G_f from §26.11.5, which is not computed here.",
        f"F = q_h G C_f A_s (ASCE 7-16 Eq. 29.3-1) with C_f = {w.cf:.3f} from Fig. 29.3-1 "
        f"Cases A/B, interpolated linearly at s/h = {w.s_over_h:.3f}, B/s = {w.bs_max:.3f} "
        "(the larger C_f of the widest and of the average width).",
        *_case_text(w),
        "M_base = F z at grade, Mu = 1.0 M_base (ASCE 7-16 §2.3.1), M_asd = 0.6 M_base "
        "(§2.4.1); wind on the pole itself depends on its section and is added by "
        "signage.poles.options (§29.4).",
    ]


def sign_loads(geo: Geometry, w: SignWind | None) -> SignLoads:
    """The reply fields shared by cabinets.derive and single_pole.design."""
    base: dict[str, Any] = {
        "A_ft2": rnd(geo.area_ft2, 3),
        "z_cg_ft": rnd(geo.z_area_ft, 3),
        "z_cg_weight_ft": rnd(geo.z_weight_ft, 3),
        "weight_estimate_lb": rnd(geo.weight_lb, 1),
        "sign_bottom_ft": rnd(geo.bottom_ft, 3),
        "sign_top_ft": rnd(geo.top_ft, 3),
    }
    if w is not None:
        base.update(
            Kz=rnd(w.kz, 4),
            qh_psf=rnd(w.qh_psf, 3),
            Cf=rnd(w.cf, 4),
            F_lbf=rnd(w.F_lb, 1),
            z_F_ft=rnd(w.z_F_ft, 3),
            M_base_kipft=rnd(w.M_kipft, 3),
            Mu_kipin=rnd(LRFD_WIND * w.M_kipft * 12.0, 2),
            T_kipft=rnd(w.T_kipft, 3),
            Tu_kipin=rnd(LRFD_WIND * w.T_kipft * 12.0, 2),
            F_asd_lbf=rnd(ASD_WIND * w.F_lb, 1),
            M_base_asd_kipft=rnd(ASD_WIND * w.M_kipft, 3),
            moment_case=w.moment_case,
            torsion_case=w.torsion_case,
        )
    return SignLoads(**base)


def wind_intermediates(w: SignWind) -> dict[str, Any]:
    c = w.case_c
    return {
        "Kz": w.kz,
        "qh_psf": w.qh_psf,
        "G": 0.85,
        "Kd": wind.KD_SIGN,
        "s_over_h": w.s_over_h,
        "B_over_s_max": w.bs_max,
        "B_over_s_avg": w.bs_avg,
        "Cf_AB": w.cf,
        "raise_ft": w.raise_ft,
        "case_A": {"F_lb": w.F_A_lb, "z_ft": w.z_A_ft, "M_kipft": w.M_A_kipft},
        "case_B": {"T_kipft": w.T_B_kipft},
        "case_C": None if c is None else _case_c_data(c),
    }


def _case_c_data(c: CaseC) -> dict[str, Any]:
    strips = [[s.x0_ft, s.x1_ft, s.cf] for s in c.strips]
    return {"strips": strips, "F_lb": c.F_lb, "M_kipft": c.M_kipft, "T_kipft": c.T_kipft}


def derive_cabinets(req: CabinetsDeriveRequest) -> CabinetsDeriveReply:
    """Area, centroids and weight of the cabinets; with a site, K_z, q_h, C_f, F, M and torsion."""
    geo = geometry(req.overall_height_ft, req.cabinets)
    w = sign_wind(geo, req.site) if req.site is not None else None
    assumptions = geometry_assumptions(geo, any(c.z_offset_ft is None for c in req.cabinets))
    intermediates: dict[str, Any] = {
        "panels": [[p.width_ft, p.bottom_ft, p.top_ft, p.weight_psf] for p in geo.panels],
        "s_ft": geo.s_ft,
        "B_max_ft": geo.b_max_ft,
        "B_avg_ft": geo.b_avg_ft,
    }
    if req.site is not None and w is not None:
        assumptions += wind_assumptions(geo, req.site, w)
        intermediates.update(wind_intermediates(w))
    loads = sign_loads(geo, w)
    return CabinetsDeriveReply(
        **loads.model_dump(),
        assumptions=assumptions,
        code_version=CODE_VERSION,
        trace=make_trace(
            req.model_dump(mode="json"),
            intermediates,
            loads.model_dump(mode="json", exclude_none=True),
        ),
    )
