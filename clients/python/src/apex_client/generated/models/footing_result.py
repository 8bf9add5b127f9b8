from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.footing_result_method import FootingResultMethod

if TYPE_CHECKING:
    from ..models.footing_iteration import FootingIteration


T = TypeVar("T", bound="FootingResult")


@_attrs_define
class FootingResult:
    """
    Attributes:
        method (FootingResultMethod):
        p_lbf (float):
        h_ft (float):
        lateral_bearing_psf_per_ft (float):
        min_depth_ft (float):
        min_depth_in (float):
        diameter_ft (float):
        concrete_yards (float):
        iterations (list[FootingIteration]):
    """

    method: FootingResultMethod
    p_lbf: float
    h_ft: float
    lateral_bearing_psf_per_ft: float
    min_depth_ft: float
    min_depth_in: float
    diameter_ft: float
    concrete_yards: float
    iterations: list[FootingIteration]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        method = self.method.value

        p_lbf = self.p_lbf

        h_ft = self.h_ft

        lateral_bearing_psf_per_ft = self.lateral_bearing_psf_per_ft

        min_depth_ft = self.min_depth_ft

        min_depth_in = self.min_depth_in

        diameter_ft = self.diameter_ft

        concrete_yards = self.concrete_yards

        iterations = []
        for iterations_item_data in self.iterations:
            iterations_item = iterations_item_data.to_dict()
            iterations.append(iterations_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "method": method,
                "P_lbf": p_lbf,
                "h_ft": h_ft,
                "lateral_bearing_psf_per_ft": lateral_bearing_psf_per_ft,
                "min_depth_ft": min_depth_ft,
                "min_depth_in": min_depth_in,
                "diameter_ft": diameter_ft,
                "concrete_yards": concrete_yards,
                "iterations": iterations,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.footing_iteration import FootingIteration

        d = dict(src_dict)
        method = FootingResultMethod(d.pop("method"))

        p_lbf = d.pop("P_lbf")

        h_ft = d.pop("h_ft")

        lateral_bearing_psf_per_ft = d.pop("lateral_bearing_psf_per_ft")

        min_depth_ft = d.pop("min_depth_ft")

        min_depth_in = d.pop("min_depth_in")

        diameter_ft = d.pop("diameter_ft")

        concrete_yards = d.pop("concrete_yards")

        iterations = []
        _iterations = d.pop("iterations")
        for iterations_item_data in _iterations:
            iterations_item = FootingIteration.from_dict(iterations_item_data)

            iterations.append(iterations_item)

        footing_result = cls(
            method=method,
            p_lbf=p_lbf,
            h_ft=h_ft,
            lateral_bearing_psf_per_ft=lateral_bearing_psf_per_ft,
            min_depth_ft=min_depth_ft,
            min_depth_in=min_depth_in,
            diameter_ft=diameter_ft,
            concrete_yards=concrete_yards,
            iterations=iterations,
        )

        footing_result.additional_properties = d
        return footing_result

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
