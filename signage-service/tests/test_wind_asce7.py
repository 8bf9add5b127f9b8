"""ASCE 7-16 chapters 26 and 29: K_z, q_h and C_f against hand calculations."""

import math

import pytest

from apex_signage import case_c, wind

# ENGINEERING.md §1.2: K_z from the power law, three decimals
KZ_TABLE = {
    ("B", 15): 0.575, ("B", 30): 0.701, ("B", 60): 0.854,
    ("C", 15): 0.849, ("C", 30): 0.982, ("C", 60): 1.137,
    ("D", 15): 1.030, ("D", 30): 1.162, ("D", 60): 1.311,
}  # fmt: skip


@pytest.mark.parametrize(("exposure", "z"), sorted(KZ_TABLE))
def test_kz_follows_the_power_law_of_table_26_10_1(exposure: str, z: int) -> None:
    """K_z = 2.01 (z/z_g)^(2/alpha), Table 26.11-1 constants.

    B (alpha 7, z_g 1200): 15 ft: ln(15/1200) = -4.38203, x 2/7 = -1.25201, e^ = 0.285931,
        x 2.01 = 0.575; 30 ft: ln 0.025 = -3.68888 -> 0.34856 -> 0.701; 60 ft: 0.42490 -> 0.854.
    C (alpha 9.5, z_g 900): 15 ft: ln(1/60) = -4.09434, x 0.210526 = -0.86197, e^ = 0.42233,
        x 2.01 = 0.849; 30 ft: 0.48869 -> 0.982; 60 ft: 0.56544 -> 1.137.
    D (alpha 11.5, z_g 700): 15 ft: ln(15/700) = -3.84303, x 0.173913 = -0.66835, e^ = 0.51257,
        x 2.01 = 1.030; 30 ft: 0.57823 -> 1.162; 60 ft: 0.65228 -> 1.311.
    """
    assert wind.kz(z, exposure) == pytest.approx(KZ_TABLE[(exposure, z)], abs=5e-4)


@pytest.mark.parametrize("exposure", ["B", "C", "D"])
def test_kz_below_15_ft_is_taken_at_15_ft(exposure: str) -> None:
    """Table 26.10-1 note: z < 15 ft uses z = 15 ft, so K_z(10) = K_z(15) = 0.575/0.849/1.030."""
    assert wind.kz(10.0, exposure) == wind.kz(15.0, exposure)
    assert wind.kz(10.0, exposure) == pytest.approx(KZ_TABLE[(exposure, 15)], abs=5e-4)


def test_velocity_pressure_of_the_end_to_end_case() -> None:
    """ENGINEERING.md §6.5: K_z(20 ft, C) = 2.01 (20/900)^(2/9.5) = 0.9019;
    q_h = 0.00256 x 0.9019 x 1.0 x 0.85 x 1.0 x 115² = 0.0019626 x 13225 = 25.95 psf."""
    kz = wind.kz(20.0, "C")
    assert kz == pytest.approx(0.9019, abs=1e-4)
    assert wind.velocity_pressure(kz, 1.0, 0.85, 1.0, 115.0) == pytest.approx(25.95, abs=0.01)


def test_velocity_pressure_of_the_medeek_sign_calculator_case() -> None:
    """ENGINEERING.md §6.1: V 155 mph, exposure D, h 20 ft: K_z = 2.01 (20/700)^(2/11.5) = 1.0831;
    q = 0.00256 x 1.0831 x 0.85 x 155² = 56.62 psf; F = 56.62 x 0.85 x 1.80 x 7.48 = 648 lb."""
    q = wind.velocity_pressure(wind.kz(20.0, "D"), 1.0, 0.85, 1.0, 155.0)
    assert q == pytest.approx(56.62, abs=0.01)
    cf = wind.cf_sign(3.0 / 20.0, 1.0)
    assert cf == 1.80
    assert q * wind.G_RIGID * cf * 7.48 == pytest.approx(648.0, abs=0.5)


def test_cf_interpolates_bilinearly_between_table_cells() -> None:
    """s/h = 0.8, B/s = 1.5: row 0.9 between B/s 1 and 2: (1.55 + 1.50)/2 = 1.525; row 0.7:
    (1.65 + 1.60)/2 = 1.625; halfway between the rows: (1.525 + 1.625)/2 = 1.575."""
    assert wind.cf_sign(0.8, 1.5) == pytest.approx(1.575, abs=1e-12)


def test_cf_of_the_pylon_sign_is_1_68_not_the_permit_calculations_1_4() -> None:
    """ENGINEERING.md §6.3: s/h 0.54, B/s 3.24 lies in rows 0.5 (1.70, 1.70) and 0.7 (1.60, 1.60)
    between B/s 2 and 4, so C_f = 1.70 + (0.04/0.2)(1.60 - 1.70) = 1.68."""
    assert wind.cf_sign(0.54, 3.24) == pytest.approx(1.68, abs=1e-9)


def test_cf_uses_the_edge_values_outside_the_table() -> None:
    """Below s/h 0.16 and B/s 0.05 the corner 1.95; above B/s 45 at s/h 1 the edge 1.30."""
    assert wind.cf_sign(0.05, 0.01) == 1.95
    assert wind.cf_sign(1.0, 100.0) == 1.30


@pytest.mark.parametrize("row", range(len(wind.CF_SH)))
def test_cf_table_matches_the_commentary_surface_fit_to_the_nearest_005(row: int) -> None:
    """ENGINEERING.md §2.3: the commentary fit, rounded to 0.05, reproduces all 84 cells."""
    for col, b_over_s in enumerate(wind.CF_BS):
        fit = round(wind.cf_sign_fit(wind.CF_SH[row], b_over_s) / 0.05) * 0.05
        assert wind.CF_AB[row][col] == pytest.approx(fit, abs=1e-9), (row, col)


def test_pole_cf_follows_figure_29_4_1() -> None:
    """8.625 in pole at 26 psf: D√q = 0.719 x 5.10 = 3.7 > 2.5, h/D 25 -> 0.7; a 4.5 in pole:
    0.375 x 5.10 = 1.9 <= 2.5 -> 1.2; a square face -> 2.0; at h/D = 4: 0.5 + 0.1 x 3/6 = 0.55."""
    assert wind.cf_pole("round", 8.625 / 12, 26.0, 30.0) == 0.7
    assert wind.cf_pole("round", 4.5 / 12, 26.0, 30.0) == 1.2
    assert wind.cf_pole("square", 0.5, 26.0, 30.0) == 2.0
    assert wind.cf_pole("round", 1.0, 26.0, 4.0) == pytest.approx(0.55)


def test_case_c_strips_at_b_over_s_4() -> None:
    """B/s = 4, s/h 0.25 (no reduction): strips 0-s 2.90, s-2s 1.90, 2s-3s 1.30, 3s-B 1.10."""
    strips = case_c.strips(20.0, 5.0, 0.25)
    assert [(s.x0_ft, s.x1_ft, s.cf) for s in strips] == [
        (0.0, 5.0, 2.90), (5.0, 10.0, 1.90), (10.0, 15.0, 1.30), (15.0, 20.0, 1.10)
    ]  # fmt: skip


def test_case_c_interpolates_and_reduces_for_signs_near_the_ground() -> None:
    """B/s = 2.5, s/h = 0.9: 0-s (2.25 + 2.60)/2 = 2.425, s-2s (1.50 + 1.70)/2 = 1.60, 2s-2.5s
    takes B/s 3's 1.15 (absent at 2); all x (1.8 - 0.9) = 0.9 -> 2.1825, 1.44, 1.035."""
    strips = case_c.strips(10.0, 4.0, 0.9)
    assert [s.x1_ft for s in strips] == [4.0, 8.0, 10.0]
    assert [s.cf for s in strips] == pytest.approx([2.1825, 1.44, 1.035])


def test_case_c_is_not_required_below_b_over_s_2() -> None:
    assert case_c.strips(9.9, 5.0, 0.5) == []


def test_case_c_between_10_and_13_uses_the_b_over_s_13_column() -> None:
    """B/s = 11: block 2's B/s = 13 column (conservative), last strip 10s to B at 0.55."""
    strips = case_c.strips(11.0, 1.0, 0.2)
    assert strips[0].cf == 4.00
    assert (strips[-1].x0_ft, strips[-1].x1_ft, strips[-1].cf) == (10.0, 11.0, 0.55)
    assert math.isclose(sum(s.x1_ft - s.x0_ft for s in strips), 11.0)
