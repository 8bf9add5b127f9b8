"""signage.poles.options: checks, ranking, filters, the no-feasible answer and the speed target."""

from typing import Any

import pytest

from apex_contracts.signage import PolesOptionsReply, PolesOptionsRequest
from apex_signage import CATALOGUE_VERSION, CODE_VERSION, pole_options, warm_up
from apex_signage.pole_check import candidates, check
from apex_signage.poles import evaluate, sign_demand

SIGN = {
    "overall_height_ft": 20,
    "cabinets": [{"width_ft": 10, "height_ft": 6}],
    "site": {"wind_speed_mph": 115, "exposure": "C"},
}


def options(**body: Any) -> PolesOptionsReply:
    return pole_options(PolesOptionsRequest.model_validate(body))


def by_name(reply: PolesOptionsReply) -> dict[str, Any]:
    return {o.designation: o for o in reply.options}


def test_end_to_end_case_member_checks() -> None:
    """ENGINEERING.md §6.5, Mu = 486.05 kip-in (pole wind excluded: loads given):
    Pipe8STD A53-B: φM_n = 0.9 x 35 x 20.8 = 655.2 kip-in (54.6 kip-ft), 486.05/655.2 = 0.742;
    Pipe6XS: 0.9 x 35 x 15.6 = 491.4 (41.0 kip-ft), ratio 0.989 (tight);
    HSS8.625X0.250 Fy 46 (D/t 37 < 44.1, compact): 0.9 x 46 x 16.4 = 679.0 (56.6), ratio 0.716;
    HSS6.625X0.280: 0.9 x 46 x 10.5 = 434.7 (36.2), ratio 1.118 -> not offered."""
    r = options(
        height_ft=20,
        loads={"M_kipin": 486.05, "V_kip": 2.3826},
        prefs={"family": ["pipe", "hss_round"], "max_options": 765},
    )
    opts = by_name(r)
    assert (opts["Pipe8STD"].phiMn_kipin, opts["Pipe8STD"].utilization) == (655.2, 0.742)
    assert (opts["Pipe6XS"].phiMn_kipin, opts["Pipe6XS"].utilization) == (491.4, 0.989)
    assert opts["HSS8.625X0.250"].phiMn_kipin == 679.0
    assert opts["HSS8.625X0.250"].utilization == 0.716
    assert "HSS6.625X0.280" not in opts
    assert all(o.passes and o.utilization <= 1.0 for o in r.options)
    assert (r.catalogue_version, r.code_version) == (CATALOGUE_VERSION, CODE_VERSION)


def test_pipe8std_torsion_from_case_b_may_be_neglected() -> None:
    """Tu = 57.2 kip-in vs φT_n = 596 kip-in: 0.096 < 0.2, so H3-6 is not needed (§H3.2)."""
    req = PolesOptionsRequest.model_validate({"height_ft": 20, "sign": SIGN})
    assert req.sign is not None
    demand, _, _ = sign_demand(20.0, 1, req.sign)
    pipe = next(c for c in candidates("pipe", "A53B") if c.sec.designation == "Pipe8STD")
    result = check(pipe, demand)
    assert result.ratio_t == pytest.approx(0.096, abs=1e-3)
    assert result.combined is None


def test_pole_wind_adds_to_the_sign_moment() -> None:
    """Pipe8STD below a sign at 14 ft: q_z(7 ft -> 15 ft, C, K_d 0.95) = 0.00256 x 0.8489 x 0.95
    x 115² = 27.30 psf, D√q = 0.719 x 5.22 = 3.75 > 2.5, h/D = 27.8 -> C_f 0.7;
    F = 27.30 x 0.85 x 0.7 x 0.719 x 14 = 163.4 lb at 7 ft = 13.7 kip-in: 486.05 + 13.7 = 499.8."""
    opts = by_name(options(height_ft=20, sign=SIGN, prefs={"family": ["pipe"]}))
    assert opts["Pipe8STD"].Mu_kipin == pytest.approx(499.8, abs=0.1)


def test_deflection_is_limited_to_h_over_40_under_service_wind() -> None:
    """Pipe8STD, L = 240 in, EI = 29000 x 68.1 = 1,974,900 kip-in²: sign 0.6 x 2.3826 kip at
    a = 204 in: 1.4296 x 204² x (720 - 204)/6/EI = 2.591 in; pole wind 0.1634 kip spread over
    a = 168 in: 0.6 x 0.1634 x 168² x (960 - 168)/24/EI = 0.046 in; 2.64 in <= 240/40 = 6 in."""
    opts = by_name(options(height_ft=20, sign=SIGN, prefs={"family": ["pipe"]}))
    assert opts["Pipe8STD"].deflection_limit_in == 6.0
    assert opts["Pipe8STD"].deflection_in == pytest.approx(2.64, abs=0.01)


def test_steel_grade_filters_families_and_sets_fy() -> None:
    r = options(height_ft=20, sign=SIGN, prefs={"steel_grade": "A500B", "max_options": 765})
    assert {o.family for o in r.options} <= {"hss_round", "hss_square", "hss_rect"}
    assert {(o.family, o.Fy_ksi) for o in r.options} == {
        ("hss_round", 42.0), ("hss_square", 46.0), ("hss_rect", 46.0)
    }  # fmt: skip
    assert any("A500B is made only as" in a and "pipe" in a for a in r.assumptions)
    assert r.evaluated_count == 714


def test_sort_by_weight_utilization_and_depth() -> None:
    base = {"height_ft": 20, "sign": SIGN}
    w = options(**base, prefs={"sort_by": "weight"}).options
    u = options(**base, prefs={"sort_by": "utilization"}).options
    d = options(**base, prefs={"sort_by": "depth"}).options
    assert [o.weight_plf for o in w] == sorted(o.weight_plf for o in w)
    assert [o.utilization for o in u] == sorted((o.utilization for o in u), reverse=True)
    assert [o.depth_in for o in d] == sorted(o.depth_in for o in d)


def test_recommended_is_the_first_option_and_the_lightest_by_weight() -> None:
    r = options(height_ft=20, sign=SIGN, prefs={"max_options": 765})
    assert r.recommended == r.options[0]
    assert r.recommended is not None
    assert r.recommended.weight_plf == min(o.weight_plf for o in r.options)
    assert r.feasible_count == len(r.options)


def test_max_depth_in_skips_deeper_sections() -> None:
    r = options(height_ft=20, sign=SIGN, prefs={"max_depth_in": 8, "max_options": 765})
    assert r.options and max(o.depth_in for o in r.options) <= 8
    assert r.evaluated_count < 765


def test_no_feasible_section_is_an_answer_with_the_required_strength() -> None:
    """60,000 kip-in exceeds every section (the strongest, HSS34X10X1, has φM_n 33,750)."""
    r = options(height_ft=30, loads={"M_kipin": 60000})
    assert (r.options, r.recommended, r.feasible_count) == ([], None, 0)
    assert any("φM_n >= 60000.0 kip-in" in a for a in r.assumptions)


def test_aluminum_up_to_15_ft_offers_nothing_and_says_why() -> None:
    r = options(height_ft=12, material="aluminum", loads={"M_kipin": 100})
    assert (r.options, r.recommended, r.evaluated_count) == ([], None, 0)
    assert any("Aluminum Design Manual" in a for a in r.assumptions)
    assert any("φM_n >= 100.0 kip-in" in a for a in r.assumptions)


def test_two_poles_share_the_load_equally_and_say_so() -> None:
    one = by_name(options(height_ft=20, loads={"M_kipin": 800}, prefs={"family": ["pipe"]}))
    two_reply = options(
        height_ft=20, num_poles=2, loads={"M_kipin": 800}, prefs={"family": ["pipe"]}
    )
    two = by_name(two_reply)
    assert two["Pipe8STD"].Mu_kipin == 400.0
    assert "Pipe8STD" not in one or one["Pipe8STD"].Mu_kipin == 800.0
    assert any("pole spacing" in a for a in two_reply.assumptions)


def test_same_input_gives_a_byte_identical_answer() -> None:
    body = {"height_ft": 20, "sign": SIGN, "prefs": {"sort_by": "utilization"}}
    assert options(**body).model_dump_json() == options(**body).model_dump_json()


def test_trace_shows_slenderness_class_and_strength_of_each_option() -> None:
    r = options(height_ft=20, sign=SIGN, prefs={"family": ["pipe"], "max_options": 2})
    checks = r.trace.intermediates["checks"]
    assert set(checks) == {o.designation for o in r.options}
    first = checks[r.options[0].designation]
    assert {"lambda", "lambda_p", "lambda_r", "class", "Mn_kipin", "limit_state"} <= set(first)


def test_every_request_evaluates_the_whole_catalogue() -> None:
    """All 765 sections of the default families and grades are checked for each request; how
    fast (target <= 2 ms in process) is measured by `bench/poles.py`, phase (e), not here: a
    timed assertion fails on a busy shared machine without anything being wrong."""
    req = PolesOptionsRequest.model_validate({"height_ft": 20, "sign": SIGN})
    assert req.sign is not None
    demand, _, _ = sign_demand(20.0, 1, req.sign)
    passing, evaluated = evaluate(demand, req.prefs)
    assert evaluated == 765
    assert 0 < len(passing) < evaluated
    reply = pole_options(req)
    assert reply.evaluated_count == evaluated


def test_warm_up_precomputes_every_grade_of_every_family() -> None:
    """A53 Gr. B: 51 pipes; A500 Gr. B, Gr. C and A1085: 714 HSS each -> 51 + 3 x 714 = 2193."""
    assert warm_up() == 2193
