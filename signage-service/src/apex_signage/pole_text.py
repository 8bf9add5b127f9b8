"""Assumption sentences of the pole step, each naming its code section."""

from __future__ import annotations

from apex_contracts.signage import GRADE_FAMILIES, PolePrefs, PolesOptionsRequest
from apex_signage.pole_check import DEFLECTION_LIMIT, Check, Demand
from apex_signage.steel import GRADES, fy_of

ORDER = {
    "weight": "lightest first",
    "utilization": "highest utilization first, the most efficient",
    "depth": "shallowest first",
}
GRADE_NOTES = {
    "A500C": "A500 Gr. C round HSS uses the pre-2021 Fy = 46 ksi, conservative against the 50 ksi "
    "of A500-21",
    "A1085": "A1085 uses the AISC tabulated A500 properties (design wall 0.93 t_nom), conservative "
    "since AISC 360-16 §B4.2 allows t_nom for A1085",
}

FIXED = [
    "Section properties from the AISC Shapes Database v16.0 with the design wall t_des (AISC "
    "360-16 §B4.2); the few round-section values AISC tabulates more than 1 % above the tube's "
    "own geometry (area of Pipe1STD, Pipe2STD, Pipe10STD, Pipe12XXS; I, S, Z of Pipe10XXS, "
    "Pipe12XXS) are replaced by the geometric values.",
    "Flexure per AISC 360-16 §F8 for round HSS and pipe (yielding F8-1, local buckling F8-2/F8-3 "
    "by D/t against λp = 0.07E/Fy, λr = 0.31E/Fy) and §F7 for square/rectangular HSS (yielding "
    "F7-1, flange local buckling F7-2/F7-3 with the F7-4 effective width, web local buckling "
    "F7-6, lateral-torsional buckling F7-10/F7-11 over the pole height with C_b = 1.0 as §F1 "
    "gives for a cantilever); φ_b = 0.90, E = 29,000 ksi.",
    "For slender flanges S_e removes the ineffective width b - b_e from both flanges, the "
    "simplified method of AISC Design Example F.8B (slightly conservative).",
    "Rectangular HSS are oriented with the long side along the wind (bending about x).",
    "Shear per AISC 360-16 §G5 (round, L_v = pole height) and §G4 (rectangular, k_v = 5, C_v2 "
    "of §G2.2); torsion per §H3.1 (round H3-2a/b with L = pole height; rectangular H3-3 to "
    "H3-5); when T_r > 0.2 φT_n, interaction per §H3.2 Eq. H3-6 with P_r = 0. The G2.2 and "
    "H3-5 limits and the H3-6 form are from memory of the standard, not checked against a copy.",
    "utilization = max(M_u/φM_n, V_u/φV_n, H3-6), all LRFD (1.0W).",
    f"Top deflection under the service wind 0.6W (ASCE 7-16 §2.4.1 level, conservative against "
    f"the 10-year wind of the Appendix C commentary) is limited to {DEFLECTION_LIMIT:.1%} of the "
    "pole height (H/40), the horizontal displacement the AASHTO Standard Specifications for "
    "Structural Supports for Highway Signs, Luminaires and Traffic Signals recommend (as quoted "
    "in public engineering forums); IBC 2018 sets no limit for sign poles. Cantilever fixed at "
    "grade, E I_x, foundation rotation not included.",
    "Not checked here: fatigue, galloping and vortex shedding, base plate, anchorage and the "
    "pole-to-sign connection.",
]


def demand(req: PolesOptionsRequest, d: Demand) -> list[str]:
    out = [
        f"The pole is a cantilever fixed at grade, {req.height_ft:g} ft tall, checked for the "
        "LRFD wind combination (1.0W, ASCE 7-16 §2.3.1); axial dead load and second-order effects "
        "are neglected (light sign weight)."
    ]
    if req.loads is not None:
        top = (
            ""
            if req.loads.V_kip is not None
            else "; without V_kip the moment is a lateral force at the pole top, which gives the "
            "largest top deflection for that moment"
        )
        out.append(f"loads are the factored (LRFD) moment and shear at grade{top}.")
    else:
        out.append(
            "Wind on the exposed pole is added per section: F = q_z G C_f D L_exposed with q_z at "
            "the centroid of the exposed length (ASCE 7-16 §29.4, Eq. 29.4-1), C_f of Fig. "
            "29.4-1 by h/D (round: 0.5-0.7 when D√q_z > 2.5, else 0.7-1.2; square and "
            "rectangular faces 1.3-2.0) and K_d = 0.95 round / 0.90 square (Table 26.6-1, "
            "chimneys and similar structures)."
        )
    if req.num_poles > 1:
        out.append(
            f"Each of the {req.num_poles} poles takes 1/{req.num_poles} of the load; the larger "
            "share of one pole under the eccentric Case B/C resultants depends on the pole "
            "spacing and is not included - check it."
        )
    return out


def aluminum(d: Demand) -> list[str]:
    return [
        "material aluminum: 6061-T6 poles per the Aluminum Design Manual are not sized here "
        "because its buckling constants, resistance factors and welded-zone strengths are not "
        "confirmed in this service's references (only F_ty = 35 ksi is); no option is offered.",
        f"The aluminum pole needs φM_n >= {d.Mu:.1f} kip-in at grade (LRFD, ASCE 7-16 §2.3.1), "
        "plus its own wind.",
    ]


def _grades(prefs: PolePrefs, grades: dict[str, str]) -> list[str]:
    used = ", ".join(
        f"{fam} {GRADES[g].name} Fy = {fy_of(GRADES[g], fam):g} ksi" for fam, g in grades.items()
    )
    out = [f"Steel at the minimum yield of ASTM A500 (pre-2021), A53 and A1085: {used}."]
    out += [GRADE_NOTES[g] + "." for g in sorted(set(grades.values())) if g in GRADE_NOTES]
    if prefs.steel_grade is not None:
        made = GRADE_FAMILIES[prefs.steel_grade]
        skipped = sorted({f for f in prefs.family if f not in made})
        if skipped:
            out.append(
                f"steel_grade {prefs.steel_grade} is made only as {', '.join(made)}: "
                f"{', '.join(skipped)} were not evaluated."
            )
    return out


def steel(
    prefs: PolePrefs, grades: dict[str, str], d: Demand, checks: list[Check], req_ix: float
) -> list[str]:
    out = [*_grades(prefs, grades), *FIXED]
    if prefs.max_depth_in is not None:
        out.append(f"Sections deeper than max_depth_in = {prefs.max_depth_in:g} in were skipped.")
    if checks:
        best = checks[0]
        out.append(
            f"Recommended: {best.cand.sec.designation} ({best.cand.grade.name}) at utilization "
            f"{best.utilization:.3f}, the first passing section by {prefs.sort_by} "
            f"({ORDER[prefs.sort_by]})."
        )
    else:
        out.append(
            f"No section passes: the pole needs φM_n >= {d.Mu:.1f} kip-in at grade (AISC 360-16 "
            f"§F7/§F8, LRFD) plus its own wind, and I_x >= {req_ix:.1f} in⁴ for the deflection "
            "limit."
        )
    return out
