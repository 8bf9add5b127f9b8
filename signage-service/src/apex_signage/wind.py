"""ASCE 7-16 wind: velocity pressure (ch. 26) and force coefficients of signs and poles (ch. 29)."""

from __future__ import annotations

import bisect
import math

# Table 26.11-1 terrain exposure constants: alpha, z_g (ft)
TERRAIN = {"B": (7.0, 1200.0), "C": (9.5, 900.0), "D": (11.5, 700.0)}
Z_MIN_FT = 15.0  # Table 26.10-1 note: K_z below 15 ft is taken at 15 ft
KD_SIGN = 0.85  # Table 26.6-1: solid freestanding signs
KD_POLE = {"round": 0.95, "square": 0.90}  # Table 26.6-1: chimneys, tanks and similar structures
G_RIGID = 0.85  # §26.11.1 gust-effect factor of a rigid structure

# Fig. 29.3-1 C_f for Cases A and B: rows s/h (descending), columns B/s
CF_SH = (1.0, 0.9, 0.7, 0.5, 0.3, 0.2, 0.16)
CF_BS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 4.0, 5.0, 10.0, 20.0, 30.0, 45.0)
CF_AB = (
    (1.80, 1.70, 1.65, 1.55, 1.45, 1.40, 1.35, 1.35, 1.30, 1.30, 1.30, 1.30),
    (1.85, 1.75, 1.70, 1.60, 1.55, 1.50, 1.45, 1.45, 1.40, 1.40, 1.40, 1.40),
    (1.90, 1.85, 1.75, 1.70, 1.65, 1.60, 1.60, 1.55, 1.55, 1.55, 1.55, 1.55),
    (1.95, 1.85, 1.80, 1.75, 1.75, 1.70, 1.70, 1.70, 1.70, 1.70, 1.70, 1.75),
    (1.95, 1.90, 1.85, 1.80, 1.80, 1.80, 1.80, 1.80, 1.80, 1.85, 1.85, 1.85),
    (1.95, 1.90, 1.85, 1.80, 1.80, 1.80, 1.80, 1.80, 1.85, 1.90, 1.90, 1.95),
    (1.95, 1.90, 1.85, 1.85, 1.80, 1.80, 1.85, 1.85, 1.85, 1.90, 1.90, 1.95),
)

# Fig. 29.4-1 C_f of chimney-like members at h/D = 1, 7, 25
CF_POLE_HD = (1.0, 7.0, 25.0)
CF_POLE = {
    "square": (1.3, 1.4, 2.0),  # square section, wind normal to a face
    "round_smooth": (0.5, 0.6, 0.7),  # round, moderately smooth, D*sqrt(q_z) > 2.5
    "round_slim": (0.7, 0.8, 1.2),  # round, D*sqrt(q_z) <= 2.5
}


def kz(z_ft: float, exposure: str) -> float:
    """Table 26.10-1 note: K_z = 2.01 (z/z_g)^(2/alpha) with z taken at least 15 ft."""
    alpha, zg = TERRAIN[exposure]
    return 2.01 * math.pow(max(z_ft, Z_MIN_FT) / zg, 2.0 / alpha)


def velocity_pressure(kz_: float, kzt: float, kd: float, ke: float, v_mph: float) -> float:
    """q = 0.00256 K_z K_zt K_d K_e V^2 (psf), Eq. 26.10-1."""
    return 0.00256 * kz_ * kzt * kd * ke * v_mph * v_mph


def _interp(xs: tuple[float, ...], ys: tuple[float, ...], x: float) -> float:
    """Linear interpolation on ascending xs, clamped to the end values."""
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    i = bisect.bisect_right(xs, x) - 1
    return ys[i] + (ys[i + 1] - ys[i]) * (x - xs[i]) / (xs[i + 1] - xs[i])


def cf_sign(s_over_h: float, b_over_s: float) -> float:
    """Fig. 29.3-1 Cases A/B, linear in s/h and B/s between table values, edge values outside."""
    at_bs = [_interp(CF_BS, row, b_over_s) for row in CF_AB]
    # rows are ordered by descending s/h; interpolate on the reversed (ascending) axis
    return _interp(CF_SH[::-1], tuple(at_bs[::-1]), s_over_h)


def cf_sign_fit(s_over_h: float, b_over_s: float) -> float:
    """ASCE 7-16 commentary surface fit of Fig. 29.3-1 (a test oracle, not used for design)."""
    lx, y = math.log(b_over_s), s_over_h
    return (
        1.563 + 0.008542 * lx - 0.06148 * y + 0.009011 * lx * lx - 0.2603 * y * y - 0.08393 * y * lx
    ) / 0.85


def pole_shape(family: str) -> str:
    return "round" if family in ("pipe", "hss_round") else "square"


def cf_pole(shape: str, width_ft: float, qz_psf: float, h_over_d: float) -> float:
    """Fig. 29.4-1 (chimneys and similar) C_f of the pole, linear in h/D; rect tubes as square."""
    if shape == "round":
        key = "round_smooth" if width_ft * math.sqrt(qz_psf) > 2.5 else "round_slim"
    else:
        key = "square"
    return _interp(CF_POLE_HD, CF_POLE[key], h_over_d)
