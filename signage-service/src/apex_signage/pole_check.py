"""Per-section pole check: precomputed capacities, pole wind, utilization and deflection."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Final

from apex_signage import steel, wind
from apex_signage.catalogue import Section, load_catalogue
from apex_signage.sign import ASD_WIND

# H/40 (2.5 % of the pole height): AASHTO sign-support recommendation; IBC sets no limit
DEFLECTION_LIMIT = 0.025
TORSION_IGNORE = 0.2  # AISC 360-16 §H3.2: torsion may be neglected when T_r ≤ 0.2 T_c


@dataclass(frozen=True, slots=True)
class Candidate:
    """A section in a grade with every load-independent quantity precomputed (kip, in)."""

    sec: Section
    grade: steel.Grade
    fy: float
    flex: steel.Flexure
    mp: float
    shape: str  # "round" | "square" (for the pole's own C_f and K_d)
    phi_mn0: float  # φ M_n without lateral-torsional buckling
    lp: float  # F7-12 (inf when LTB does not apply)
    lr: float  # F7-13
    ltb_slope: float  # M_p - 0.7 F_y S_x (F7-10)
    ltb_elastic: float  # 2 E √(J A) r_y, so that F7-11 gives M_n = ltb_elastic / L_b
    shear: tuple[float, float, float]  # V_n = min(max(a/√L, b), cap); rect: (0, V_n, V_n)
    torsion: tuple[float, float, float]  # T_n likewise
    ei: float  # E I_x, kip-in²


def _round_terms(
    sec: Section, fy: float, ka: float, kb: float, area: float
) -> tuple[float, float, float]:
    """(a, b, cap) so that min(max(a/√L, b), cap) = F_cr · area.

    F_cr of G5-2a/b (ka 1.60, kb 0.78) or H3-2a/b (1.23, 0.60), capped at 0.6 F_y; area A_g/2 or C.
    """
    d_t = sec.ratio_flange
    return (
        ka * steel.E_KSI * math.sqrt(sec.depth_in) / math.pow(d_t, 1.25) * area,
        kb * steel.E_KSI / math.pow(d_t, 1.5) * area,
        0.6 * fy * area,
    )


def _round(sec: Section, grade: steel.Grade, fy: float) -> Candidate:
    flex = steel.f8_round(sec.ratio_flange, fy, sec.Sx, sec.Zx)
    return Candidate(
        sec=sec, grade=grade, fy=fy, flex=flex, mp=fy * sec.Zx, shape="round",
        phi_mn0=steel.PHI * flex.Mn, lp=math.inf, lr=math.inf, ltb_slope=0.0, ltb_elastic=0.0,
        shear=_round_terms(sec, fy, 1.60, 0.78, sec.A / 2.0),
        torsion=_round_terms(sec, fy, 1.23, 0.60, sec.C),
        ei=steel.E_KSI * sec.Ix,
    )  # fmt: skip


def _rect(sec: Section, grade: steel.Grade, fy: float) -> Candidate:
    mp = fy * sec.Zx
    args = (sec.ratio_flange, sec.ratio_web, sec.t_des, sec.depth_in, fy, sec.Ix, sec.Sx, sec.Zx)
    flex = steel.f7_rect(*args)
    lp = lr = math.inf
    if sec.family == "hss_rect":  # §F7.4: LTB of rectangular HSS about the major axis only
        lp, lr = steel.f7_ltb_limits(fy, sec.Sx, sec.ry, sec.J, sec.A, mp)
    vn = steel.shear_vn_rect(sec.ratio_web, sec.t_des, fy)
    tn = steel.torsion_fcr_rect(max(sec.ratio_web, sec.ratio_flange), fy) * sec.C
    return Candidate(
        sec=sec, grade=grade, fy=fy, flex=flex, mp=mp, shape="square",
        phi_mn0=steel.PHI * flex.Mn, lp=lp, lr=lr, ltb_slope=mp - 0.7 * fy * sec.Sx,
        ltb_elastic=2.0 * steel.E_KSI * math.sqrt(sec.J * sec.A) * sec.ry,
        shear=(0.0, vn, vn), torsion=(0.0, tn, tn), ei=steel.E_KSI * sec.Ix,
    )  # fmt: skip


@cache
def candidates(family: str, grade_key: str) -> tuple[Candidate, ...]:
    """Load-independent capacities of a family in a grade, computed once per process."""
    grade = steel.GRADES[grade_key]
    make = _round if family in ("pipe", "hss_round") else _rect
    return tuple(
        make(s, grade, steel.fy_of(grade, family)) for s in load_catalogue() if s.family == family
    )


@dataclass(frozen=True)
class Segment:
    """An exposed length of pole, z0..z1 ft above grade, q_z at its centroid (ASCE 7-16 §29.4)."""

    z0_ft: float
    z1_ft: float
    qz_by_shape: dict[str, float]  # q_z with K_d of a round or square member, psf


@dataclass(frozen=True)
class Demand:
    """Factored (LRFD 1.0W) actions at grade on one pole, without the pole's own wind."""

    L_in: float
    Mu: float  # kip-in
    Vu: float  # kip
    Tu: float  # kip-in
    a_in: float  # height of the resultant lateral force (deflection)
    segments: tuple[Segment, ...] = ()

    @cached_property
    def sign_shape(self) -> float:
        """EI · top deflection under V_u at a_in."""
        return self.Vu * lateral_shape(self.a_in, self.L_in)


def lateral_shape(a: float, length: float) -> float:
    """Top deflection · EI per unit lateral load at height a of a cantilever of length L."""
    if a <= length:
        return a * a * (3.0 * length - a) / 6.0
    return (
        length**3 / 3.0 + (a - length) * length**2 / 2.0
    )  # load above the top: force plus moment at the top


@dataclass(frozen=True, slots=True)
class Check:
    cand: Candidate
    phi_mn: float
    limit_state: str
    mu: float
    vu: float
    ratio_m: float
    ratio_v: float
    ratio_t: float
    combined: float | None
    utilization: float
    deflection_in: float
    limit_in: float

    @property
    def passes(self) -> bool:
        return self.utilization <= 1.0 + 1e-12 and self.deflection_in <= self.limit_in + 1e-12


def _flexure(c: Candidate, length: float) -> tuple[float, str]:
    """φM_n with F7-10/F7-11 lateral-torsional buckling, L_b = pole height, C_b = 1.0 (§F1)."""
    if length <= c.lp:
        return c.phi_mn0, c.flex.limit_state
    if length <= c.lr:
        ltb = c.mp - c.ltb_slope * (length - c.lp) / (c.lr - c.lp)
    else:
        ltb = c.ltb_elastic / length
    if ltb < c.flex.Mn:
        return steel.PHI * ltb, "lateral-torsional buckling (F7-10/F7-11)"
    return c.phi_mn0, c.flex.limit_state


def pole_wind(c: Candidate, d: Demand) -> tuple[float, float, float]:
    """Shear (kip), moment (kip-in), EI·δ of the wind on the pole: Eq. 29.4-1 F = q_z G C_f A_f."""
    width_ft = c.sec.width_in / 12.0
    h_over_d = d.L_in / c.sec.width_in
    v = m = e = 0.0
    for seg in d.segments:
        qz = seg.qz_by_shape[c.shape]
        cf = wind.cf_pole(c.shape, width_ft, qz, h_over_d)
        f = qz * wind.G_RIGID * cf * width_ft * (seg.z1_ft - seg.z0_ft) / 1000.0
        zc = 6.0 * (seg.z0_ft + seg.z1_ft)  # centroid, in
        v += f
        m += f * zc
        if seg.z0_ft == 0.0:  # uniform load from the base: δEI = F a²(4L - a)/24
            a = 12.0 * seg.z1_ft
            e += f * a * a * (4.0 * d.L_in - a) / 24.0
        else:
            e += f * lateral_shape(zc, d.L_in)
    return v, m, e


WindCache = dict[tuple[str, float], tuple[float, float, float]]
# (φM_n, limit state, M_u, V_u, flexure, shear and torsion ratios, H3-6, utilization, δ, δ limit)
Measure = tuple[float, str, float, float, float, float, float, float | None, float, float, float]
UTIL: Final = 8  # index of the utilization in a Measure


def _nominal(terms: tuple[float, float, float], inv_sqrt_l: float) -> float:
    a, b, cap = terms
    return b if a == 0.0 else min(max(a * inv_sqrt_l, b), cap)


def measure(
    c: Candidate, d: Demand, cache: WindCache | None = None, screen: bool = False
) -> Measure | None:
    """The fields of a Check after the section: utilization and service deflection.

    With screen=True a failing section returns None as soon as it fails (the catalogue scan).
    """
    length = d.L_in
    phi_mn, state = (c.phi_mn0, c.flex.limit_state) if length <= c.lp else _flexure(c, length)
    vp = mp_ = ep = 0.0
    if d.segments:
        key = (c.shape, c.sec.width_in)
        hit = cache.get(key) if cache is not None else None
        if hit is None:
            hit = pole_wind(c, d)
            if cache is not None:
                cache[key] = hit
        vp, mp_, ep = hit
    mu = d.Mu + mp_
    r_m = mu / phi_mn
    delta = ASD_WIND * (d.sign_shape + ep) / c.ei
    limit = DEFLECTION_LIMIT * length
    if screen and (r_m > 1.0 + 1e-12 or delta > limit + 1e-12):
        return None
    vu = d.Vu + vp
    inv = 1.0 / math.sqrt(length)  # L_v and L of G5 / H3-2 are the pole height
    r_v = vu / (steel.PHI * _nominal(c.shear, inv))
    r_t = d.Tu / (steel.PHI * _nominal(c.torsion, inv)) if d.Tu else 0.0
    combined = r_m + (r_v + r_t) ** 2 if r_t > TORSION_IGNORE else None  # H3-6 with P_r = 0
    util = max(r_m, r_v, combined or 0.0)
    if screen and util > 1.0 + 1e-12:
        return None
    return (phi_mn, state, mu, vu, r_m, r_v, r_t, combined, util, delta, limit)


def check(c: Candidate, d: Demand, cache: WindCache | None = None) -> Check:
    """The full check of one section under the demand."""
    m = measure(c, d, cache)
    assert m is not None
    return Check(c, *m)
