"""Properties that hold for any valid input (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from apex_contracts.signage import CabinetsDeriveRequest, FootingSolveRequest, PolesOptionsRequest
from apex_signage import derive_cabinets, pole_options, solve_footing

moments = st.floats(min_value=10, max_value=40_000, allow_nan=False)
heights = st.floats(min_value=6, max_value=60, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(height=heights, m1=moments, m2=moments, max_depth=st.sampled_from([None, 10.0, 20.0]))
def test_a_larger_moment_never_recommends_a_lighter_section(
    height: float, m1: float, m2: float, max_depth: float | None
) -> None:
    """Feasibility only shrinks as the moment grows, so the lightest passing section can only
    get heavier (or disappear)."""
    lo, hi = sorted((m1, m2))

    def lightest(m: float) -> float | None:
        prefs = {"sort_by": "weight", "max_depth_in": max_depth, "max_options": 1}
        body = {"height_ft": height, "loads": {"M_kipin": m}, "prefs": prefs}
        rec = pole_options(PolesOptionsRequest.model_validate(body)).recommended
        return rec.weight_plf if rec else None

    light, heavy = lightest(lo), lightest(hi)
    if heavy is not None:
        assert light is not None and heavy >= light


@settings(max_examples=150, deadline=None)
@given(
    p=st.floats(min_value=50, max_value=50_000),
    h=st.floats(min_value=0.5, max_value=60),
    b1=st.floats(min_value=0.5, max_value=10),
    b2=st.floats(min_value=0.5, max_value=10),
    soil=st.integers(min_value=1, max_value=5),
    isolated=st.booleans(),
    constrained=st.booleans(),
)
def test_a_wider_footing_never_needs_more_depth(
    p: float, h: float, b1: float, b2: float, soil: int, isolated: bool, constrained: bool
) -> None:
    narrow, wide = sorted((b1, b2))

    def depth(b: float) -> float:
        body = {"P_lbf": p, "h_ft": h, "diameter_ft": b, "soil": {"soil_class": soil},
                "isolated": isolated, "constrained": constrained}  # fmt: skip
        return solve_footing(FootingSolveRequest.model_validate(body)).min_depth_ft

    assert depth(wide) <= depth(narrow)


cabinet = st.fixed_dictionaries(
    {"width_ft": st.floats(min_value=0.5, max_value=60), "height_ft": st.floats(0.5, 8)}
)


@settings(max_examples=150, deadline=None)
@given(
    cabinets=st.lists(cabinet, min_size=1, max_size=4),
    extra=st.floats(min_value=0, max_value=60),
    v1=st.floats(min_value=85, max_value=250),
    v2=st.floats(min_value=85, max_value=250),
    exposure=st.sampled_from(["B", "C", "D"]),
)
def test_higher_wind_never_lowers_the_moment(
    cabinets: list[dict[str, float]], extra: float, v1: float, v2: float, exposure: str
) -> None:
    top = min(100.0, sum(c["height_ft"] for c in cabinets) + extra)
    low, high = sorted((v1, v2))

    def moment(v: float) -> tuple[float, float]:
        body = {"overall_height_ft": top, "cabinets": cabinets,
                "site": {"wind_speed_mph": v, "exposure": exposure}}  # fmt: skip
        r = derive_cabinets(CabinetsDeriveRequest.model_validate(body))
        assert r.M_base_kipft is not None and r.Mu_kipin is not None
        return r.M_base_kipft, r.Mu_kipin

    assert moment(high) >= moment(low)


@settings(max_examples=40, deadline=None)
@given(
    height=heights,
    m=moments,
    family=st.sampled_from(["pipe", "hss_round", "hss_square", "hss_rect"]),
)
def test_every_offered_option_passes_and_the_list_is_sorted(
    height: float, m: float, family: str
) -> None:
    body = {"height_ft": height, "loads": {"M_kipin": m}, "prefs": {"family": [family]}}
    r = pole_options(PolesOptionsRequest.model_validate(body))
    assert all(
        o.passes and o.utilization <= 1 and o.deflection_in <= o.deflection_limit_in
        for o in r.options
    )
    assert [o.weight_plf for o in r.options] == sorted(o.weight_plf for o in r.options)
    assert r.feasible_count >= len(r.options)
    text = r.model_dump_json()
    assert "Infinity" not in text and "NaN" not in text
