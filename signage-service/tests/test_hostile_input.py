"""Hostile requests are rejected with the field path and a message an engineer understands."""

import json
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from apex_contracts.signage import (
    CabinetsDeriveRequest,
    ConcreteYardsRequest,
    FootingSolveRequest,
    PolesOptionsRequest,
    SinglePoleDesignRequest,
)

SITE = {"wind_speed_mph": 115, "exposure": "C"}
SIGN = {"overall_height_ft": 20, "cabinets": [{"width_ft": 10, "height_ft": 6}], "site": SITE}


def errors(model: type[BaseModel], body: Any) -> list[tuple[str, str, str]]:
    """(path, type, message) of every error, the way the gateway reports them."""
    with pytest.raises(ValidationError) as info:
        if isinstance(body, str):
            model.model_validate_json(body)
        else:
            model.model_validate(body)
    return [(".".join(map(str, e["loc"])), e["type"], e["msg"]) for e in info.value.errors()]


def only(model: type[BaseModel], body: Any) -> tuple[str, str, str]:
    found = errors(model, body)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("value", [0, -3])
def test_zero_or_negative_cabinet_width_is_rejected(value: float) -> None:
    body = {**SIGN, "cabinets": [{"width_ft": value, "height_ft": 6}]}
    path, kind, msg = only(CabinetsDeriveRequest, body)
    assert (path, kind) == ("cabinets.0.width_ft", "out_of_range")
    assert f"{value} ft is outside the accepted range (at least 0.1, at most 60)" in msg


def test_exposure_e_is_rejected() -> None:
    path, kind, msg = only(CabinetsDeriveRequest, {**SIGN, "site": {**SITE, "exposure": "E"}})
    assert (path, kind) == ("site.exposure", "literal_error")
    assert "'B', 'C' or 'D'" in msg


def test_a_500_ft_pole_is_rejected_with_the_reason() -> None:
    path, kind, msg = only(PolesOptionsRequest, {"height_ft": 500, "loads": {"M_kipin": 100}})
    assert (path, kind) == ("height_ft", "out_of_range")
    assert "at most 100" in msg and "§26.11.5" in msg


def test_300_mph_is_rejected_with_the_reason() -> None:
    path, _, msg = only(CabinetsDeriveRequest, {**SIGN, "site": {**SITE, "wind_speed_mph": 300}})
    assert path == "site.wind_speed_mph"
    assert "300 mph is outside the accepted range (at least 85, at most 250)" in msg


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_json_are_rejected(literal: str) -> None:
    body = json.dumps(SIGN).replace('"wind_speed_mph": 115', f'"wind_speed_mph": {literal}')
    path, _, _ = only(CabinetsDeriveRequest, body)
    assert path == "site.wind_speed_mph"


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_nan_and_infinity_as_python_floats_are_rejected(value: float) -> None:
    path, kind, _ = only(ConcreteYardsRequest, {"diameter_ft": value, "depth_ft": 5})
    assert (path, kind) == ("diameter_ft", "finite_number")


def test_ten_thousand_cabinets_are_rejected() -> None:
    body = {**SIGN, "cabinets": [{"width_ft": 1, "height_ft": 0.001}] * 10_000}
    path, kind, _ = only(CabinetsDeriveRequest, body)
    assert (path, kind) == ("cabinets", "too_long")


def test_unknown_family_is_rejected() -> None:
    body = {"height_ft": 20, "loads": {"M_kipin": 100}, "prefs": {"family": ["pipe", "wood"]}}
    path, kind, _ = only(PolesOptionsRequest, body)
    assert (path, kind) == ("prefs.family.1", "literal_error")


@pytest.mark.parametrize("extra", [{}, {"loads": {"M_kipin": 100}, "sign": SIGN}])
def test_poles_options_need_exactly_one_of_loads_or_sign(extra: dict[str, Any]) -> None:
    _, kind, msg = only(PolesOptionsRequest, {"height_ft": 20, **extra})
    assert kind == "loads_or_sign"
    assert "exactly one of loads" in msg


def test_aluminum_above_15_ft_is_refused_with_the_reason() -> None:
    body = {"height_ft": 20, "material": "aluminum", "loads": {"M_kipin": 100}}
    path, kind, msg = only(PolesOptionsRequest, body)
    assert (path, kind) == ("material", "aluminum_height")
    assert "only up to 15 ft" in msg and "Aluminum Design Manual" in msg


def test_aluminum_above_15_ft_is_refused_for_the_single_pole_design_too() -> None:
    body = {"sign": SIGN, "material": "aluminum", "soil": {"soil_class": 4},
            "footing": {"diameter_ft": 2}}  # fmt: skip
    path, kind, _ = only(SinglePoleDesignRequest, body)
    assert (path, kind) == ("material", "aluminum_height")


def test_steel_grade_that_no_requested_family_comes_in_is_rejected() -> None:
    prefs = {"family": ["hss_rect"], "steel_grade": "A53B"}
    path, kind, msg = only(
        PolesOptionsRequest, {"height_ft": 20, "loads": {"M_kipin": 1}, "prefs": prefs}
    )
    assert (path, kind) == ("prefs.steel_grade", "grade_family_mismatch")
    assert "made only as pipe" in msg


def test_unknown_fields_and_numbers_as_strings_are_rejected() -> None:
    found = errors(ConcreteYardsRequest, {"diameter_ft": "2", "depth_ft": True, "colour": "red"})
    assert {(p, k) for p, k, _ in found} == {
        ("diameter_ft", "float_type"), ("depth_ft", "float_type"), ("colour", "extra_forbidden")
    }  # fmt: skip


def test_cabinets_must_fit_between_grade_and_the_top_without_overlap() -> None:
    over = {**SIGN, "cabinets": [{"width_ft": 10, "height_ft": 6, "z_offset_ft": 16}]}
    below = {**SIGN, "overall_height_ft": 10, "cabinets": [{"width_ft": 4, "height_ft": 6}] * 2}
    clash = {
        **SIGN,
        "cabinets": [{"width_ft": 4, "height_ft": 6, "z_offset_ft": z} for z in (5, 8)],
    }
    assert only(CabinetsDeriveRequest, over)[:2] == ("cabinets", "cabinet_above_top")
    assert only(CabinetsDeriveRequest, below)[:2] == ("cabinets", "cabinet_below_grade")
    assert only(CabinetsDeriveRequest, clash)[:2] == ("cabinets", "cabinets_overlap")


def test_pole_must_reach_the_sign() -> None:
    path, kind, _ = only(PolesOptionsRequest, {"height_ft": 5, "sign": SIGN})
    assert (path, kind) == ("sign", "pole_short")


@pytest.mark.parametrize("soil", [{}, {"soil_class": 4, "lateral_bearing_psf_per_ft": 150}])
def test_soil_needs_exactly_one_value(soil: dict[str, Any]) -> None:
    body = {"P_lbf": 1000, "h_ft": 10, "diameter_ft": 2, "soil": soil}
    assert only(FootingSolveRequest, body)[:2] == ("soil", "soil_value")


def test_soil_class_6_and_footing_without_load_are_rejected() -> None:
    bad_class = {"P_lbf": 1000, "h_ft": 10, "diameter_ft": 2, "soil": {"soil_class": 6}}
    no_load = {"h_ft": 10, "diameter_ft": 2, "soil": {"soil_class": 4}}
    assert only(FootingSolveRequest, bad_class)[:2] == ("soil.soil_class", "less_than_equal")
    assert only(FootingSolveRequest, no_load)[1] == "load_value"


@pytest.mark.parametrize(
    "model",
    [CabinetsDeriveRequest, PolesOptionsRequest, FootingSolveRequest, ConcreteYardsRequest,
     SinglePoleDesignRequest],
)  # fmt: skip
def test_request_schemas_publish_their_bounds(model: type[BaseModel]) -> None:
    schema = json.dumps(model.model_json_schema())
    assert '"maximum"' in schema and "additionalProperties" in schema
