"""AISC 360-16 F7/F8 flexure, G/H shear and torsion against hand calculations."""

import math

import pytest

from apex_signage import steel
from apex_signage.catalogue import Section, load_catalogue
from apex_signage.pole_check import candidates

E = 29_000.0


def section(designation: str) -> Section:
    return next(s for s in load_catalogue() if s.designation == designation)


def test_f8_compact_pipe8xs_is_the_plastic_moment() -> None:
    """AISC Design Example F.9B: Pipe8XS, A53 Gr. B Fy 35; D/t = 18.5 < λp = 0.07 x 29000/35 = 58
    -> compact, M_n = F_y Z = 35 x 31.0 = 1085 kip-in = 90.4 kip-ft; φM_n = 81.4 kip-ft."""
    s = section("Pipe8XS")
    f = steel.f8_round(s.ratio_flange, 35.0, s.Sx, s.Zx)
    assert f.compactness == "compact"
    assert f.lam_p == pytest.approx(58.0)
    assert f.Mn == pytest.approx(1085.0)
    assert steel.PHI * f.Mn / 12 == pytest.approx(81.4, abs=0.05)


def test_f8_noncompact_round_hss_uses_f8_2() -> None:
    """HSS20.000X0.375 at Fy 46: D/t 57.3, λp = 0.07 x 29000/46 = 44.1 < 57.3 <= λr = 195.4;
    F8-2: M_n = (0.021 x 29000/57.3 + 46) x 104 = (10.628 + 46) x 104 = 5889.3 kip-in
    < M_p = 46 x 135 = 6210."""
    s = section("HSS20.000X0.375")
    f = steel.f8_round(s.ratio_flange, 46.0, s.Sx, s.Zx)
    assert f.compactness == "noncompact"
    assert f.limit_state == "local buckling (F8-2)"
    assert f.Mn == pytest.approx(5889.3, abs=0.1)


def test_f8_slender_round_tube_uses_f8_3() -> None:
    """Synthetic D/t = 200 at Fy 50: λr = 0.31 x 29000/50 = 179.8 < 200 < 0.45E/Fy = 261;
    F_cr = 0.33 x 29000/200 = 47.85 ksi, M_n = 47.85 x 10 = 478.5 kip-in (S = 10, Z = 13)."""
    f = steel.f8_round(200.0, 50.0, 10.0, 13.0)
    assert (f.compactness, f.limit_state) == ("slender", "local buckling (F8-3)")
    assert f.Mn == pytest.approx(478.5)


def test_f8_rejects_tubes_outside_its_scope() -> None:
    with pytest.raises(ValueError, match="outside §F8"):
        steel.f8_round(300.0, 50.0, 10.0, 13.0)


def test_f7_slender_flange_hss8x8x3_16_matches_design_example_f8b() -> None:
    """b/t = 43.0 > λr = 1.40 √(29000/50) = 33.7: F7-4 b_e = 1.92 x 0.174 x 24.08 x
    (1 - 0.38/43.0 x 24.08) = 8.046 x 0.7872 = 6.333 in; ineffective 7.48 - 6.33 = 1.15 in
    removed from both flanges at 3.913 in: I_e = 54.4 - 2(1.15 x 0.174³/12 + 1.15 x 0.174 x
    3.913²) = 54.4 - 6.13 = 48.3 in⁴, S_e = 48.3/4 = 12.07 in³ (AISC prints 12.1),
    M_n = 50 x 12.07 = 603.5 kip-in (AISC: 50 x 12.1 = 605)."""
    s = section("HSS8X8X3/16")
    b_e = steel.effective_width(s.ratio_flange, s.t_des, 50.0)
    assert b_e == pytest.approx(6.33, abs=0.005)
    s_e = steel.effective_modulus(s.Ix, s.depth_in, s.ratio_flange * s.t_des, s.t_des, b_e)
    assert s_e == pytest.approx(12.1, abs=0.05)
    f = steel.f7_rect(s.ratio_flange, s.ratio_web, s.t_des, s.depth_in, 50.0, s.Ix, s.Sx, s.Zx)
    assert (f.compactness, f.limit_state) == ("slender", "flange local buckling (F7-3)")
    assert f.Mn == pytest.approx(605.0, rel=0.005)


def test_f7_noncompact_flange_hss10x6x3_16_is_796_kip_in() -> None:
    """b/t 31.5 between λp 27.0 and λr 33.7; M_p = 50 x 18.0 = 900, F_y S = 50 x 14.9 = 745;
    F7-2: 900 - (900 - 745)(3.57 x 31.5 x √(50/29000) - 4.0) = 900 - 155 x 0.6695 = 796.2."""
    s = section("HSS10X6X3/16")
    f = steel.f7_rect(s.ratio_flange, s.ratio_web, s.t_des, s.depth_in, 50.0, s.Ix, s.Sx, s.Zx)
    assert f.limit_state == "flange local buckling (F7-2)"
    assert f.Mn == pytest.approx(796.2, abs=0.1)


def test_f7_noncompact_web_hss20x4x1_4_uses_f7_6() -> None:
    """b/t 14.2 compact; h/t 82.8 between λp 58.3 and λr 137.3; M_p = 50 x 61.5 = 3075,
    F_y S = 2290; F7-6: 3075 - 785 x (0.305 x 82.8 x 0.041523 - 0.738) = 3075 - 785 x 0.31062
    = 2831.2 kip-in."""
    s = section("HSS20X4X1/4")
    f = steel.f7_rect(s.ratio_flange, s.ratio_web, s.t_des, s.depth_in, 50.0, s.Ix, s.Sx, s.Zx)
    assert (f.compactness, f.limit_state) == ("noncompact", "web local buckling (F7-6)")
    assert f.Mn == pytest.approx(2831.2, abs=0.2)


def test_width_to_thickness_limits_of_table_b4_1b() -> None:
    """At 50 ksi: round λp 40.6, λr 179.8; flange 1.12/1.40 √(E/Fy) = 26.97/33.72."""
    f = steel.f8_round(30.0, 50.0, 1.0, 1.3)
    assert (f.lam_p, f.lam_r) == pytest.approx((40.6, 179.8))
    g = steel.f7_rect(20.0, 20.0, 0.2, 6.0, 50.0, 20.0, 5.0, 6.0)
    assert (g.lam_p, g.lam_r) == pytest.approx((26.97, 33.72), abs=0.01)


def test_lateral_torsional_buckling_limits_of_f7_12_and_f7_13() -> None:
    """HSS20X4X1/4, Fy 50: √(J A) = √(111 x 10.8) = 34.62; M_p = 3075;
    L_p = 0.13 x 29000 x 1.78 x 34.62/3075 = 75.6 in; L_r = 2 x 29000 x 1.78 x 34.62/(0.7 x 50
    x 45.8) = 3574582/1603 = 2230 in; at L_b = 240 in F7-10: 3075 - (3075 - 1603) x
    (240 - 75.6)/(2230 - 75.6) = 3075 - 1472 x 0.0763 = 2963 kip-in."""
    s = section("HSS20X4X1/4")
    lp, lr = steel.f7_ltb_limits(50.0, s.Sx, s.ry, s.J, s.A, 50.0 * s.Zx)
    assert (lp, lr) == pytest.approx((75.6, 2230.0), rel=1e-3)
    assert steel.f7_ltb(3075.0, 50.0, s.Sx, s.ry, s.J, s.A, 240.0) == pytest.approx(2963, rel=2e-3)
    assert steel.f7_ltb(3075.0, 50.0, s.Sx, s.ry, s.J, s.A, 60.0) is None


def test_torsion_of_pipe8std_is_yield_governed() -> None:
    """ENGINEERING.md §6.5: C = 2J/D = 2 x 136/8.625 = 31.54 in³; H3-2a at L = 240 in:
    1.23 x 29000/(√27.83 x 28.8^1.25) = 101 ksi > 0.6 x 35 = 21 ksi -> φT_n = 0.9 x 21 x 31.54
    = 596 kip-in = 49.7 kip-ft."""
    s = section("Pipe8STD")
    torsion_constant = s.C
    assert torsion_constant == pytest.approx(31.54, abs=0.01)
    fcr = steel.torsion_fcr_round(s.ratio_flange, 240.0, s.depth_in, 35.0)
    assert fcr == 21.0
    assert steel.PHI * fcr * s.C / 12 == pytest.approx(49.7, abs=0.05)


def test_rectangular_torsion_and_shear_by_wall_slenderness() -> None:
    """H3-3: h/t <= 2.45√(E/Fy) = 59.0 at 50 ksi -> 0.6Fy = 30; H3-4 at h/t 70: 30 x 59.0/70 = 25.3;
    G4 with h/t 40 (C_v2 = 1): V_n = 0.6 x 50 x 2 x 40 x 0.2² = 96 kip."""
    r = math.sqrt(E / 50.0)
    assert steel.torsion_fcr_rect(40.0, 50.0) == 30.0
    assert steel.torsion_fcr_rect(70.0, 50.0) == pytest.approx(30.0 * 2.45 * r / 70.0)
    assert steel.shear_vn_rect(40.0, 0.2, 50.0) == pytest.approx(96.0)


@pytest.mark.parametrize("grade", sorted(steel.GRADES))
def test_every_catalogue_section_has_a_capacity_in_every_grade(grade: str) -> None:
    """No catalogue section is outside F8's D/t limit or has a slender web (F7-7) at any grade."""
    for family in ("pipe", "hss_round", "hss_square", "hss_rect"):
        for c in candidates(family, grade):
            assert 0 < c.flex.Mn <= c.mp + 1e-9


def test_steel_grade_sets_fy_by_shape() -> None:
    """A500 Gr. B 42 round / 46 rect, Gr. C 46 / 50, A53 Gr. B 35, A1085 50."""
    g = steel.GRADES
    assert (steel.fy_of(g["A500B"], "hss_round"), steel.fy_of(g["A500B"], "hss_rect")) == (42, 46)
    assert (steel.fy_of(g["A500C"], "hss_round"), steel.fy_of(g["A500C"], "hss_square")) == (46, 50)
    assert steel.fy_of(g["A53B"], "pipe") == 35
    assert steel.fy_of(g["A1085"], "hss_round") == 50
