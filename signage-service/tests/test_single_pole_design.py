"""signage.single_pole.design: sign -> loads -> recommended pole -> footing in one answer."""

from typing import Any

import pytest

from apex_contracts.signage import SinglePoleDesignReply, SinglePoleDesignRequest
from apex_signage import design_single_pole

BODY: dict[str, Any] = {
    "sign": {
        "overall_height_ft": 20,
        "cabinets": [{"width_ft": 10, "height_ft": 6}],
        "site": {"wind_speed_mph": 115, "exposure": "C"},
    },
    "prefs": {"family": ["pipe"]},
    "soil": {"soil_class": 4},
    "footing": {"diameter_ft": 2},
}


def design(body: dict[str, Any]) -> SinglePoleDesignReply:
    return design_single_pole(SinglePoleDesignRequest.model_validate(body))


def test_chain_recommends_a_pole_and_sizes_its_footing() -> None:
    """Sign: F = 2382.6 lb, M = 40.50 kip-ft (§6.5). Lightest passing pipe: Pipe8STD
    (Pipe6XS fails once its own wind is added). Footing: V = 2382.6 + 163.4 (pole wind) = 2546.0 lb,
    P = 0.6 x 2546.0 = 1527.6 lb at h = (486.05 + 13.7)/(2.546 x 12) = 16.36 ft, class 4 doubled:
    d³ = 7.02 x 1527.6/(300 x 2) (d + 1.09 x 16.36) -> 7.70 ft."""
    r = design(BODY)
    assert r.pole is not None and r.pole.designation == "Pipe8STD"
    assert r.sign.F_lbf == pytest.approx(2382.6, abs=0.1)
    assert r.footing.P_lbf == pytest.approx(1527.6, abs=0.1)
    assert r.footing.h_ft == pytest.approx(16.36, abs=0.01)
    assert r.footing.min_depth_ft == pytest.approx(7.70, abs=0.01)
    assert r.footing.concrete_yards == pytest.approx(3.1416 * 7.70 / 27, abs=0.01)
    assert r.feasible_count > 0
    assert len(r.assumptions) == len(set(r.assumptions))


def test_chain_answer_is_byte_identical_for_the_same_input() -> None:
    assert design(BODY).model_dump_json() == design(BODY).model_dump_json()


def test_aluminum_sign_up_to_15_ft_gets_a_footing_but_no_pole() -> None:
    body = {**BODY, "material": "aluminum", "sign": {**BODY["sign"], "overall_height_ft": 14}}
    r = design(body)
    assert r.pole is None and r.feasible_count == 0
    assert r.footing.min_depth_ft > 0
    assert any("No pole was selected" in a for a in r.assumptions)


def test_trace_carries_the_pole_and_footing_derivations() -> None:
    r = design(BODY)
    assert {"poles", "footing"} <= set(r.trace.intermediates)
    assert r.trace.outputs["pole"] == "Pipe8STD"
    assert r.trace.inputs["soil"] == {"lateral_bearing_psf_per_ft": None, "soil_class": 4}
