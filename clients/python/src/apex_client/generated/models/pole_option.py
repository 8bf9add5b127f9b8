from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.pole_option_compactness import PoleOptionCompactness
from ..models.pole_option_family import PoleOptionFamily

T = TypeVar("T", bound="PoleOption")


@_attrs_define
class PoleOption:
    """
    Attributes:
        designation (str):
        family (PoleOptionFamily):
        grade (str):
        fy_ksi (float):
        weight_plf (float):
        depth_in (float):
        sx_in_3 (float):
        zx_in_3 (float):
        ix_in_4 (float):
        compactness (PoleOptionCompactness):
        limit_state (str):
        phi_mn_kipin (float):
        mu_kipin (float):
        utilization (float):
        deflection_in (float):
        deflection_limit_in (float):
        passes (bool):
    """

    designation: str
    family: PoleOptionFamily
    grade: str
    fy_ksi: float
    weight_plf: float
    depth_in: float
    sx_in_3: float
    zx_in_3: float
    ix_in_4: float
    compactness: PoleOptionCompactness
    limit_state: str
    phi_mn_kipin: float
    mu_kipin: float
    utilization: float
    deflection_in: float
    deflection_limit_in: float
    passes: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        designation = self.designation

        family = self.family.value

        grade = self.grade

        fy_ksi = self.fy_ksi

        weight_plf = self.weight_plf

        depth_in = self.depth_in

        sx_in_3 = self.sx_in_3

        zx_in_3 = self.zx_in_3

        ix_in_4 = self.ix_in_4

        compactness = self.compactness.value

        limit_state = self.limit_state

        phi_mn_kipin = self.phi_mn_kipin

        mu_kipin = self.mu_kipin

        utilization = self.utilization

        deflection_in = self.deflection_in

        deflection_limit_in = self.deflection_limit_in

        passes = self.passes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "designation": designation,
                "family": family,
                "grade": grade,
                "Fy_ksi": fy_ksi,
                "weight_plf": weight_plf,
                "depth_in": depth_in,
                "Sx_in3": sx_in_3,
                "Zx_in3": zx_in_3,
                "Ix_in4": ix_in_4,
                "compactness": compactness,
                "limit_state": limit_state,
                "phiMn_kipin": phi_mn_kipin,
                "Mu_kipin": mu_kipin,
                "utilization": utilization,
                "deflection_in": deflection_in,
                "deflection_limit_in": deflection_limit_in,
                "passes": passes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        designation = d.pop("designation")

        family = PoleOptionFamily(d.pop("family"))

        grade = d.pop("grade")

        fy_ksi = d.pop("Fy_ksi")

        weight_plf = d.pop("weight_plf")

        depth_in = d.pop("depth_in")

        sx_in_3 = d.pop("Sx_in3")

        zx_in_3 = d.pop("Zx_in3")

        ix_in_4 = d.pop("Ix_in4")

        compactness = PoleOptionCompactness(d.pop("compactness"))

        limit_state = d.pop("limit_state")

        phi_mn_kipin = d.pop("phiMn_kipin")

        mu_kipin = d.pop("Mu_kipin")

        utilization = d.pop("utilization")

        deflection_in = d.pop("deflection_in")

        deflection_limit_in = d.pop("deflection_limit_in")

        passes = d.pop("passes")

        pole_option = cls(
            designation=designation,
            family=family,
            grade=grade,
            fy_ksi=fy_ksi,
            weight_plf=weight_plf,
            depth_in=depth_in,
            sx_in_3=sx_in_3,
            zx_in_3=zx_in_3,
            ix_in_4=ix_in_4,
            compactness=compactness,
            limit_state=limit_state,
            phi_mn_kipin=phi_mn_kipin,
            mu_kipin=mu_kipin,
            utilization=utilization,
            deflection_in=deflection_in,
            deflection_limit_in=deflection_limit_in,
            passes=passes,
        )

        pole_option.additional_properties = d
        return pole_option

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
