"""signage.cabinets.derive: geometry, ASCE 7-16 §29.3 forces, moments and torsion."""

from typing import Any

import pytest

from apex_contracts.signage import CabinetsDeriveReply, CabinetsDeriveRequest
from apex_signage import derive_cabinets, wind

SITE = {"wind_speed_mph": 115, "exposure": "C"}


def derive(body: dict[str, Any]) -> CabinetsDeriveReply:
    return derive_cabinets(CabinetsDeriveRequest.model_validate(body))


def test_end_to_end_case_gives_2383_lb_and_40_5_kipft() -> None:
    """ENGINEERING.md §6.5: 10 x 6 ft sign, top at 20 ft, 115 mph, C: q_h = 25.954 psf,
    s/h = 6/20 = 0.30, B/s = 10/6 = 1.67 -> C_f = 1.80 (row 0.3 is 1.80 from B/s 1 to 4);
    F = 25.954 x 0.85 x 1.80 x 60 = 2382.6 lb at z = 17 ft -> M = 40.50 kip-ft,
    Mu = 1.0 M = 486.05 kip-in; Case B T = 2382.6 x 0.2 x 10 = 4.765 kip-ft;
    ASD 0.6 F = 1429.6 lb."""
    r = derive(
        {"overall_height_ft": 20, "cabinets": [{"width_ft": 10, "height_ft": 6}], "site": SITE}
    )
    assert (r.A_ft2, r.z_cg_ft, r.weight_estimate_lb) == (60.0, 17.0, 600.0)
    assert r.Kz == pytest.approx(0.9019, abs=1e-4)
    assert r.qh_psf == pytest.approx(25.954, abs=1e-3)
    assert r.Cf == 1.8
    assert r.F_lbf == pytest.approx(2382.6, abs=0.1)
    assert r.M_base_kipft == pytest.approx(40.50, abs=0.01)
    assert r.Mu_kipin == pytest.approx(486.05, abs=0.01)
    assert r.T_kipft == pytest.approx(4.765, abs=1e-3)
    assert r.F_asd_lbf == pytest.approx(1429.6, abs=0.1)
    assert (r.moment_case, r.torsion_case) == ("A", "B")


def test_stacked_cabinets_give_area_and_weight_centroids() -> None:
    """8 x 4 ft (10 psf) hangs from 20 ft: 16-20 ft; 6 x 2 ft (20 psf) under it: 14-16 ft.
    A = 32 + 12 = 44 ft²; z_area = (32 x 18 + 12 x 15)/44 = 756/44 = 17.182 ft;
    W = 320 + 240 = 560 lb; z_weight = (320 x 18 + 240 x 15)/560 = 9360/560 = 16.714 ft."""
    cabinets = [{"width_ft": 8, "height_ft": 4}, {"width_ft": 6, "height_ft": 2, "weight_psf": 20}]
    r = derive({"overall_height_ft": 20, "cabinets": cabinets})
    assert (r.A_ft2, r.weight_estimate_lb) == (44.0, 560.0)
    assert r.z_cg_ft == pytest.approx(17.182, abs=1e-3)
    assert r.z_cg_weight_ft == pytest.approx(16.714, abs=1e-3)
    assert (r.sign_bottom_ft, r.sign_top_ft) == (14.0, 20.0)
    assert r.Kz is None and r.F_lbf is None


def test_z_offset_places_the_cabinet_bottom_above_grade() -> None:
    """A 10 x 4 ft cabinet at z_offset 12 ft spans 12-16 ft: centroid 14 ft under a 20 ft top."""
    cab = {"width_ft": 10, "height_ft": 4, "z_offset_ft": 12}
    r = derive({"overall_height_ft": 20, "cabinets": [cab], "site": SITE})
    assert r.z_cg_ft == 14.0
    assert r.z_F_ft == 14.0
    # q_h is still taken at overall_height_ft (the top of the sign), conservative here
    assert r.Kz == pytest.approx(wind.kz(20.0, "C"), abs=1e-4)


def test_case_c_governs_the_moment_of_a_wide_sign() -> None:
    """10 x 5 ft sign, top at 10 ft: s/h = 0.5, B/s = 2 -> Case A C_f = 1.70, F_A = 85 qG;
    Case C strips 0-5 ft at 2.25 and 5-10 ft at 1.50: F_C = (2.25 + 1.50) x 25 qG = 93.75 qG,
    so M_C/M_A = 93.75/85 = 1.103 and Case C governs the moment. Torsion: Case C
    (56.25 - 37.5) x 2.5 = 46.9 qG ft < Case B 85 x 0.2 x 10 = 170 qG ft, so Case B governs it."""
    r = derive(
        {"overall_height_ft": 10, "cabinets": [{"width_ft": 10, "height_ft": 5}], "site": SITE}
    )
    qg = wind.velocity_pressure(wind.kz(10.0, "C"), 1.0, 0.85, 1.0, 115.0) * 0.85
    assert r.Cf == 1.7
    assert (r.moment_case, r.torsion_case) == ("C", "B")
    assert r.F_lbf == pytest.approx(93.75 * qg, abs=0.1)
    assert r.M_base_kipft == pytest.approx(93.75 * qg * 7.5 / 1000, abs=1e-3)
    assert r.T_kipft == pytest.approx(170 * qg / 1000, abs=1e-3)
    assert any("Case C is required" in a for a in r.assumptions)


def test_a_sign_reaching_the_ground_has_its_resultant_raised_005_s() -> None:
    """s/h = 1 (0 to 8 ft): z = 4 + 0.05 x 8 = 4.4 ft; C_f at s/h 1, B/s 0.5 = 1.55."""
    r = derive(
        {"overall_height_ft": 8, "cabinets": [{"width_ft": 4, "height_ft": 8}], "site": SITE}
    )
    assert r.z_F_ft == pytest.approx(4.4)
    assert r.Cf == 1.55


def test_every_wind_assumption_cites_its_code_section() -> None:
    r = derive(
        {"overall_height_ft": 20, "cabinets": [{"width_ft": 10, "height_ft": 6}], "site": SITE}
    )
    wind_texts = [a for a in r.assumptions if "ASCE" in a or "§" in a]
    assert len(wind_texts) >= 10
    assert any("1.0W" in a and "0.6W" in a for a in r.assumptions)
    assert set(r.trace.model_dump()) == {"inputs", "intermediates", "outputs"}
    assert r.trace.intermediates["Cf_AB"] == 1.8


def test_same_input_gives_a_byte_identical_answer() -> None:
    body = {
        "overall_height_ft": 23.5,
        "cabinets": [{"width_ft": 13.3, "height_ft": 4.7}],
        "site": SITE,
    }
    assert derive(body).model_dump_json() == derive(body).model_dump_json()


def test_open_looking_stacks_are_flagged() -> None:
    """10 x 2 ft cabinets at 18-20 ft and 10-12 ft fill 40/100 = 40 % of their 10 x 10 ft box."""
    cabinets = [
        {"width_ft": 10, "height_ft": 2},
        {"width_ft": 10, "height_ft": 2, "z_offset_ft": 10},
    ]
    r = derive({"overall_height_ft": 20, "cabinets": cabinets, "site": SITE})
    assert any("open sign" in a for a in r.assumptions)
