"""Sign geometry from cabinets and the ASCE 7-16 §29.3 wind force on it (Cases A, B and C)."""

from __future__ import annotations

from dataclasses import dataclass

from apex_contracts.signage import Cabinet, Site, cabinet_spans
from apex_signage import case_c, wind

ASD_WIND = 0.6  # ASCE 7-16 §2.4.1: ASD combinations take 0.6W of a strength-level wind
LRFD_WIND = 1.0  # ASCE 7-16 §2.3.1: LRFD combinations take 1.0W


@dataclass(frozen=True)
class Panel:
    width_ft: float
    bottom_ft: float
    top_ft: float
    weight_psf: float

    @property
    def area(self) -> float:
        return self.width_ft * (self.top_ft - self.bottom_ft)

    @property
    def z_mid(self) -> float:
        return 0.5 * (self.bottom_ft + self.top_ft)


@dataclass(frozen=True)
class Geometry:
    h_ft: float  # height to the top of the sign (overall_height_ft)
    panels: tuple[Panel, ...]
    area_ft2: float
    z_area_ft: float
    weight_lb: float
    z_weight_ft: float
    bottom_ft: float
    top_ft: float
    b_max_ft: float

    @property
    def s_ft(self) -> float:
        return self.top_ft - self.bottom_ft

    @property
    def b_avg_ft(self) -> float:
        return self.area_ft2 / self.s_ft

    @property
    def solidity(self) -> float:
        return self.area_ft2 / (self.b_max_ft * self.s_ft)


def geometry(overall_height_ft: float, cabinets: list[Cabinet]) -> Geometry:
    """Area, area centroid (wind) and weight centroid (dead load) of the stacked cabinets."""
    spans = cabinet_spans(overall_height_ft, cabinets)
    panels = tuple(
        Panel(c.width_ft, b, t, c.weight_psf) for c, (b, t) in zip(cabinets, spans, strict=True)
    )
    area = sum(p.area for p in panels)
    weight = sum(p.area * p.weight_psf for p in panels)
    return Geometry(
        h_ft=overall_height_ft,
        panels=panels,
        area_ft2=area,
        z_area_ft=sum(p.area * p.z_mid for p in panels) / area,
        weight_lb=weight,
        z_weight_ft=sum(p.area * p.weight_psf * p.z_mid for p in panels) / weight,
        bottom_ft=min(p.bottom_ft for p in panels),
        top_ft=max(p.top_ft for p in panels),
        b_max_ft=max(p.width_ft for p in panels),
    )


@dataclass(frozen=True)
class CaseC:
    strips: tuple[case_c.Strip, ...]
    F_lb: float
    M_kipft: float
    T_kipft: float


@dataclass(frozen=True)
class SignWind:
    kz: float
    qh_psf: float
    s_over_h: float
    bs_max: float
    bs_avg: float
    cf: float
    raise_ft: float  # 0.05 s when the sign reaches the ground (s/h = 1)
    F_A_lb: float
    z_A_ft: float
    T_B_kipft: float
    case_c: CaseC | None

    @property
    def M_A_kipft(self) -> float:
        return self.F_A_lb * self.z_A_ft / 1000.0

    @property
    def moment_case(self) -> str:
        return "C" if self.case_c is not None and self.case_c.M_kipft > self.M_A_kipft else "A"

    @property
    def F_lb(self) -> float:
        return self.case_c.F_lb if self.moment_case == "C" and self.case_c else self.F_A_lb

    @property
    def M_kipft(self) -> float:
        return self.case_c.M_kipft if self.moment_case == "C" and self.case_c else self.M_A_kipft

    @property
    def z_F_ft(self) -> float:
        return self.M_kipft * 1000.0 / self.F_lb

    @property
    def torsion_case(self) -> str:
        return "C" if self.case_c is not None and self.case_c.T_kipft > self.T_B_kipft else "B"

    @property
    def T_kipft(self) -> float:
        return max(self.T_B_kipft, self.case_c.T_kipft if self.case_c else 0.0)


def _case_c(geo: Geometry, qg: float, s_over_h: float, raise_ft: float) -> CaseC | None:
    """Case C strips over each cabinet (cabinets centred on the pole; windward edge at x = 0)."""
    strips = tuple(case_c.strips(geo.b_max_ft, geo.s_ft, s_over_h))
    if not strips:
        return None
    centre = 0.5 * geo.b_max_ft
    force = moment = torsion = 0.0
    for strip in strips:
        for p in geo.panels:
            x0, x1 = (
                max(strip.x0_ft, centre - p.width_ft / 2),
                min(strip.x1_ft, centre + p.width_ft / 2),
            )
            if x1 <= x0:
                continue
            # Eq. 29.3-1 on the strip's share of the cabinet
            f = qg * strip.cf * (x1 - x0) * (p.top_ft - p.bottom_ft)
            force += f
            moment += f * (p.z_mid + raise_ft)
            torsion += f * (centre - 0.5 * (x0 + x1))  # about the pole axis
    return CaseC(strips, force, moment / 1000.0, abs(torsion) / 1000.0)


def sign_wind(geo: Geometry, site: Site) -> SignWind:
    """ASCE 7-16 Eq. 29.3-1 F = q_h G C_f A_s with q_h at the top of the sign (§29.3.1)."""
    kz = wind.kz(geo.h_ft, site.exposure)
    qh = wind.velocity_pressure(kz, site.kzt, wind.KD_SIGN, site.ke, site.wind_speed_mph)
    s_over_h = geo.s_ft / geo.h_ft
    bs_max, bs_avg = geo.b_max_ft / geo.s_ft, geo.b_avg_ft / geo.s_ft
    cf = max(wind.cf_sign(s_over_h, bs_max), wind.cf_sign(s_over_h, bs_avg))
    # Fig. 29.3-1: with s/h = 1 the resultants are raised 0.05 s above the geometric centre
    raise_ft = 0.05 * geo.s_ft if geo.bottom_ft <= 1e-9 else 0.0
    qg = qh * wind.G_RIGID
    force = qg * cf * geo.area_ft2
    return SignWind(
        kz=kz,
        qh_psf=qh,
        s_over_h=s_over_h,
        bs_max=bs_max,
        bs_avg=bs_avg,
        cf=cf,
        raise_ft=raise_ft,
        F_A_lb=force,
        z_A_ft=geo.z_area_ft + raise_ft,
        T_B_kipft=force * 0.2 * geo.b_max_ft / 1000.0,  # Case B: resultant 0.2 B off centre
        case_c=_case_c(geo, qg, s_over_h, raise_ft),
    )
