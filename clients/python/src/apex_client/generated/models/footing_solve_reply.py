from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.footing_solve_reply_method import FootingSolveReplyMethod
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.footing_iteration import FootingIteration
    from ..models.trace import Trace


T = TypeVar("T", bound="FootingSolveReply")


@_attrs_define
class FootingSolveReply:
    """
    Attributes:
        method (FootingSolveReplyMethod):
        p_lbf (float):
        h_ft (float):
        lateral_bearing_psf_per_ft (float):
        min_depth_ft (float):
        min_depth_in (float):
        diameter_ft (float):
        concrete_yards (float):
        iterations (list[FootingIteration]):
        assumptions (list[str]):
        trace (Trace):
        code_version (str):
        schema_version (int | Unset):  Default: 1.
    """

    method: FootingSolveReplyMethod
    p_lbf: float
    h_ft: float
    lateral_bearing_psf_per_ft: float
    min_depth_ft: float
    min_depth_in: float
    diameter_ft: float
    concrete_yards: float
    iterations: list[FootingIteration]
    assumptions: list[str]
    trace: Trace
    code_version: str
    schema_version: int | Unset = 1
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

        assumptions = self.assumptions

        trace = self.trace.to_dict()

        code_version = self.code_version

        schema_version = self.schema_version

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
                "assumptions": assumptions,
                "trace": trace,
                "code_version": code_version,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.footing_iteration import FootingIteration
        from ..models.trace import Trace

        d = dict(src_dict)
        method = FootingSolveReplyMethod(d.pop("method"))

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

        assumptions = cast(list[str], d.pop("assumptions"))

        trace = Trace.from_dict(d.pop("trace"))

        code_version = d.pop("code_version")

        schema_version = d.pop("schema_version", UNSET)

        footing_solve_reply = cls(
            method=method,
            p_lbf=p_lbf,
            h_ft=h_ft,
            lateral_bearing_psf_per_ft=lateral_bearing_psf_per_ft,
            min_depth_ft=min_depth_ft,
            min_depth_in=min_depth_in,
            diameter_ft=diameter_ft,
            concrete_yards=concrete_yards,
            iterations=iterations,
            assumptions=assumptions,
            trace=trace,
            code_version=code_version,
            schema_version=schema_version,
        )

        footing_solve_reply.additional_properties = d
        return footing_solve_reply

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
