"""AISC 360-16 strength of HSS and pipe: flexure F7/F8, shear G4/G5, torsion H3 (kip, in, ksi)."""

from __future__ import annotations

import math
from dataclasses import dataclass

E_KSI = 29_000.0  # modulus of elasticity of steel (AISC 360-16 symbols and §B)
PHI = 0.90  # φ_b (§F1), φ_v (§G1), φ_T (§H3.1)


@dataclass(frozen=True)
class Grade:
    """A steel specification with its specified minimum yield for round and for shaped HSS."""

    key: str
    name: str
    fy_round: float
    fy_rect: float


# Specified minimum Fy (ksi) by shape: ASTM A500 (pre-2021) round/shaped, A53 pipe, A1085 all
GRADES = {
    "A53B": Grade("A53B", "ASTM A53 Gr. B", 35.0, 35.0),
    "A500B": Grade("A500B", "ASTM A500 Gr. B", 42.0, 46.0),
    "A500C": Grade("A500C", "ASTM A500 Gr. C", 46.0, 50.0),
    "A1085": Grade("A1085", "ASTM A1085", 50.0, 50.0),
}
DEFAULT_GRADE = {"pipe": "A53B", "hss_round": "A500C", "hss_square": "A500C", "hss_rect": "A500C"}


def fy_of(grade: Grade, family: str) -> float:
    return grade.fy_round if family in ("pipe", "hss_round") else grade.fy_rect


@dataclass(frozen=True)
class Flexure:
    """Nominal flexural strength and how it was reached."""

    Mn: float  # kip-in, without lateral-torsional buckling
    compactness: str
    limit_state: str
    lam: float  # governing element slenderness
    lam_p: float
    lam_r: float


def classify(lam: float, lam_p: float, lam_r: float) -> str:
    return "compact" if lam <= lam_p else "noncompact" if lam <= lam_r else "slender"


def f8_round(d_t: float, fy: float, s: float, z: float) -> Flexure:
    """§F8 round HSS/pipe: lower of yielding (F8-1) and local buckling (F8-2, F8-3/F8-4)."""
    if d_t >= 0.45 * E_KSI / fy:
        raise ValueError(f"D/t = {d_t} is outside §F8 (D/t < 0.45E/Fy)")
    lam_p, lam_r = 0.07 * E_KSI / fy, 0.31 * E_KSI / fy  # Table B4.1b case 20
    mp = fy * z
    cls = classify(d_t, lam_p, lam_r)
    if cls == "compact":
        return Flexure(mp, cls, "yielding (F8-1)", d_t, lam_p, lam_r)
    # F8-2 (noncompact) or F8-3 with F_cr from F8-4 (slender)
    mn = (0.021 * E_KSI / d_t + fy) * s if cls == "noncompact" else 0.33 * E_KSI / d_t * s
    if mp <= mn:
        return Flexure(mp, cls, "yielding (F8-1)", d_t, lam_p, lam_r)
    return Flexure(
        mn,
        cls,
        "local buckling (F8-2)" if cls == "noncompact" else "local buckling (F8-3)",
        d_t,
        lam_p,
        lam_r,
    )


def effective_width(b_t: float, t: float, fy: float) -> float:
    """F7-4: b_e = 1.92 t √(E/Fy) [1 - 0.38/(b/t) √(E/Fy)] ≤ b."""
    r = math.sqrt(E_KSI / fy)
    return min(b_t * t, 1.92 * t * r * (1.0 - 0.38 / b_t * r))


def effective_modulus(ix: float, h_out: float, b: float, t: float, b_e: float) -> float:
    """S_e with b - b_e removed from both flanges (AISC Design Example F.8B, conservative)."""
    w, arm = b - b_e, 0.5 * (h_out - t)
    i_e = ix - 2.0 * (w * t**3 / 12.0 + w * t * arm * arm)
    return i_e / (0.5 * h_out)


def f7_rect(
    b_t: float, h_t: float, t: float, h_out: float, fy: float, ix: float, s: float, z: float
) -> Flexure:
    """§F7 square/rect HSS about x: lowest of yielding F7-1, FLB F7-2/F7-3 and WLB F7-6."""
    r = math.sqrt(E_KSI / fy)
    fp, fr = 1.12 * r, 1.40 * r  # Table B4.1b case 17 (flanges)
    wp, wr = 2.42 * r, 5.70 * r  # Table B4.1b case 19 (webs)
    if h_t > wr:
        raise ValueError(
            f"h/t = {h_t} is a slender web (F7-7/F7-8), not implemented; no AISC HSS has one"
        )
    mp = fy * z
    flange, web = classify(b_t, fp, fr), classify(h_t, wp, wr)
    options = [(mp, "yielding (F7-1)")]
    if flange == "noncompact":
        options.append(
            (
                min(mp, mp - (mp - fy * s) * (3.57 * b_t * math.sqrt(fy / E_KSI) - 4.0)),
                "flange local buckling (F7-2)",
            )
        )
    elif flange == "slender":
        b_e = effective_width(b_t, t, fy)
        options.append(
            (fy * effective_modulus(ix, h_out, b_t * t, t, b_e), "flange local buckling (F7-3)")
        )
    if web == "noncompact":
        options.append(
            (
                min(mp, mp - (mp - fy * s) * (0.305 * h_t * math.sqrt(fy / E_KSI) - 0.738)),
                "web local buckling (F7-6)",
            )
        )
    mn, state = min(options, key=lambda o: o[0])
    worst = max((flange, web), key=("compact", "noncompact", "slender").index)
    return Flexure(mn, worst, state, b_t, fp, fr)


def f7_ltb_limits(
    fy: float, sx: float, ry: float, j: float, a: float, mp: float
) -> tuple[float, float]:
    """L_p (F7-12) and L_r (F7-13) of a rectangular HSS bent about its major axis, in."""
    root = math.sqrt(j * a)
    return 0.13 * E_KSI * ry * root / mp, 2.0 * E_KSI * ry * root / (0.7 * fy * sx)


def f7_ltb(
    mp: float, fy: float, sx: float, ry: float, j: float, a: float, lb: float, cb: float = 1.0
) -> float | None:
    """F7-10/F7-11 lateral-torsional buckling M_n, or None when L_b ≤ L_p."""
    lp, lr = f7_ltb_limits(fy, sx, ry, j, a, mp)
    if lb <= lp:
        return None
    if lb <= lr:
        return min(mp, cb * (mp - (mp - 0.7 * fy * sx) * (lb - lp) / (lr - lp)))  # F7-10
    return min(mp, 2.0 * E_KSI * cb * math.sqrt(j * a) / (lb / ry))  # F7-11


def torsion_fcr_round(d_t: float, length: float, d: float, fy: float) -> float:
    """H3-2a/H3-2b: F_cr = max[1.23E/(√(L/D)(D/t)^(5/4)), 0.60E/(D/t)^(3/2)] ≤ 0.6Fy."""
    a = 1.23 * E_KSI / (math.sqrt(length / d) * math.pow(d_t, 1.25))
    b = 0.60 * E_KSI / math.pow(d_t, 1.5)
    return min(max(a, b), 0.6 * fy)


def torsion_fcr_rect(h_t: float, fy: float) -> float:
    """H3-3 to H3-5 with h/t of the longer wall."""
    r = math.sqrt(E_KSI / fy)
    if h_t <= 2.45 * r:
        return 0.6 * fy
    if h_t <= 3.07 * r:
        return 0.6 * fy * 2.45 * r / h_t
    return 0.458 * math.pi**2 * E_KSI / h_t**2


def shear_vn_round(d_t: float, lv: float, d: float, fy: float, ag: float) -> float:
    """G5: V_n = F_cr A_g/2, F_cr = max[1.60E/(√(L_v/D)(D/t)^(5/4)), 0.78E/(D/t)^(3/2)] ≤ 0.6Fy."""
    a = 1.60 * E_KSI / (math.sqrt(lv / d) * math.pow(d_t, 1.25))
    b = 0.78 * E_KSI / math.pow(d_t, 1.5)
    return min(max(a, b), 0.6 * fy) * ag / 2.0


def shear_vn_rect(h_t: float, t: float, fy: float) -> float:
    """G4: V_n = 0.6 Fy A_w C_v2 with A_w = 2 h t, k_v = 5 and C_v2 from §G2.2."""
    limit = math.sqrt(5.0 * E_KSI / fy)
    if h_t <= 1.10 * limit:
        cv2 = 1.0
    elif h_t <= 1.37 * limit:
        cv2 = 1.10 * limit / h_t
    else:
        cv2 = 1.51 * 5.0 * E_KSI / (h_t**2 * fy)
    return 0.6 * fy * 2.0 * h_t * t * t * cv2
