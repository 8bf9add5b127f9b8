"""IBC 2018 §1807.3.2 embedment and concrete volume against hand calculations."""

from typing import Any

import pytest

from apex_contracts.signage import ConcreteYardsRequest, FootingSolveReply, FootingSolveRequest
from apex_signage import concrete_yards, solve_footing


def solve(**body: Any) -> FootingSolveReply:
    return solve_footing(FootingSolveRequest.model_validate(body))


def exact(reply: FootingSolveReply) -> float:
    return float(reply.trace.intermediates["depth_exact_ft"])


def test_eng_tips_post_solved_by_hand() -> None:
    """ENGINEERING.md §6.2: P = 480 lb at h = 5 ft, b = 1.5 ft, 100 psf/ft, no doubling.
    With S1 = 100 d/3, A = 2.34 x 480/(100 d/3 x 1.5) = 22.464/d, and Eq. 18-1 is equivalent to
    d³ = 22.464 (d + 1.09 x 5). Try d = 6.44: 6.44³ = 267.09; 22.464 x 11.89 = 267.10 -> d = 6.44 ft
    (S1 = 214.7 psf, A = 3.488 ft; check 0.5 x 3.488 x (1 + √(1 + 4.36 x 5/3.488)) = 6.44)."""
    r = solve(P_lbf=480, h_ft=5, diameter_ft=1.5, soil={"lateral_bearing_psf_per_ft": 100},
              isolated=False)  # fmt: skip
    assert exact(r) == pytest.approx(6.44, abs=0.005)
    last = r.iterations[-1]
    assert (last.S_psf, last.A_ft) == (
        pytest.approx(214.7, abs=0.1),
        pytest.approx(3.488, abs=1e-3),
    )
    assert r.min_depth_ft == 6.45  # 6.4401 rounded up: a minimum depth never rounds down
    assert r.min_depth_in == pytest.approx(77.4)


def test_isolated_pole_doubles_the_lateral_bearing() -> None:
    """§1806.3.4 (200 psf/ft): d³ = 11.232 (d + 5.45): 4.88³ = 116.2, 11.232 x 10.33 = 116.0."""
    r = solve(P_lbf=480, h_ft=5, diameter_ft=1.5, soil={"lateral_bearing_psf_per_ft": 100})
    assert exact(r) == pytest.approx(4.88, abs=0.005)


@pytest.mark.parametrize(
    ("b", "isolated", "depth"),
    [(2.0, False, 9.83), (2.0, True, 7.59), (2.5, False, 9.04), (2.5, True, 6.99),
     (3.0, False, 8.44), (3.0, True, 6.54)],
)  # fmt: skip
def test_end_to_end_case_footings(b: float, isolated: bool, depth: float) -> None:
    """ENGINEERING.md §6.5: class 4 sand 150 psf/ft, P = 1430 lb at 17 ft; e.g. b = 2, doubled:
    d³ = 7.02 x 1430/(300 x 2) (d + 18.53) = 16.731 (d + 18.53); 7.59³ = 437.2 = 16.731 x 26.12."""
    r = solve(P_lbf=1430, h_ft=17, diameter_ft=b, soil={"soil_class": 4}, isolated=isolated)
    assert exact(r) == pytest.approx(depth, abs=0.006)
    assert r.lateral_bearing_psf_per_ft == 150.0


def test_constrained_footing_is_the_cube_root_of_eq_18_2() -> None:
    """§1807.3.2.2 with S3 = 150 d: d³ = 4.25 x 1430 x 17/(150 x 2) = 344.4 -> 7.01 ft;
    doubled (300 psf/ft): 172.2 -> 5.56 ft."""
    plain = solve(P_lbf=1430, h_ft=17, diameter_ft=2, soil={"soil_class": 4}, constrained=True,
                  isolated=False)  # fmt: skip
    doubled = solve(P_lbf=1430, h_ft=17, diameter_ft=2, soil={"soil_class": 4}, constrained=True)
    assert exact(plain) == pytest.approx(7.01, abs=0.005)
    assert exact(doubled) == pytest.approx(5.56, abs=0.005)
    assert plain.method == "constrained" and len(plain.iterations) == 1


def test_pylon_permit_case_with_s1_at_one_third_depth() -> None:
    """ENGINEERING.md §6.3: P = 6980 lb, h = 8.5 ft, b = 3 ft, 400 psf/ft: 9.08 ft (the permit's
    6.6 ft took S1 at the full 5 ft); class-4 sand doubled: 10.19 ft."""
    rock = solve(P_lbf=6980, h_ft=8.5, diameter_ft=3, soil={"lateral_bearing_psf_per_ft": 400},
                 isolated=False)  # fmt: skip
    sand = solve(P_lbf=6980, h_ft=8.5, diameter_ft=3, soil={"soil_class": 4})
    assert exact(rock) == pytest.approx(9.08, abs=0.005)
    assert exact(sand) == pytest.approx(10.19, abs=0.005)


def test_iterations_converge_and_are_listed() -> None:
    r = solve(P_lbf=1430, h_ft=17, diameter_ft=2, soil={"soil_class": 4})
    steps = r.iterations
    assert steps[0].d_ft == 4.0 and [s.n for s in steps] == list(range(1, len(steps) + 1))
    assert abs(steps[-1].d_next_ft - steps[-1].d_ft) <= 1e-4
    assert len(steps) < 20


def test_depth_beyond_12_ft_holds_the_pressure_at_12_ft() -> None:
    """S1 = 100 x 12/3 = 400 psf once d > 12 ft, so Eq. 18-1 becomes explicit:
    A = 2.34 x 20000/(400 x 2) = 58.5; d = 29.25 x (1 + √(1 + 87.2/58.5)) = 29.25 x 2.5782
    = 75.41 ft."""
    r = solve(P_lbf=20000, h_ft=20, diameter_ft=2, soil={"soil_class": 5}, isolated=False)
    assert exact(r) == pytest.approx(75.41, abs=0.005)
    assert r.iterations[-1].S_psf == 400.0
    assert any("12 ft value" in a for a in r.assumptions)
    assert any("larger diameter" in a for a in r.assumptions)


def test_moment_input_is_p_times_h() -> None:
    """M = 24.31 kip-ft at h = 17 ft is P = 1430 lb."""
    by_m = solve(M_pole_kipft=24.31, h_ft=17, diameter_ft=2, soil={"soil_class": 4})
    by_p = solve(P_lbf=1430, h_ft=17, diameter_ft=2, soil={"soil_class": 4})
    assert by_m.min_depth_ft == by_p.min_depth_ft
    assert any("P = M/h" in a for a in by_m.assumptions)


def test_each_of_two_poles_takes_half_and_concrete_counts_both() -> None:
    two = solve(P_lbf=2860, h_ft=17, diameter_ft=2, soil={"soil_class": 4}, num_poles=2)
    one = solve(P_lbf=1430, h_ft=17, diameter_ft=2, soil={"soil_class": 4})
    assert (two.P_lbf, two.min_depth_ft) == (1430.0, one.min_depth_ft)
    assert two.concrete_yards == pytest.approx(2 * one.concrete_yards, abs=0.011)


def test_footing_answer_states_asd_and_cites_ibc() -> None:
    r = solve(P_lbf=1430, h_ft=17, diameter_ft=2, soil={"soil_class": 4})
    text = " ".join(r.assumptions)
    for cite in ("§1807.3.2.1", "Table 1806.2", "§1806.3.4", "0.6W", "§2.4.1"):
        assert cite in text


def test_concrete_yards_by_hand() -> None:
    """π/4 x 2² x 7.59 x 1/27 = 3.1416 x 7.59/27 = 0.883 yd³;
    three 3 ft x 10 ft: 3 x 70.69/27 = 7.85 yd³."""
    assert concrete_yards(ConcreteYardsRequest(diameter_ft=2, depth_ft=7.59)).cubic_yards == 0.88
    three = concrete_yards(ConcreteYardsRequest(diameter_ft=3, depth_ft=10, count=3))
    assert three.cubic_yards == 7.85
    assert "27" in three.assumptions[0]
