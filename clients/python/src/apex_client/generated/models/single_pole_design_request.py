from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.single_pole_design_request_material import SinglePoleDesignRequestMaterial
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.footing_geometry import FootingGeometry
    from ..models.pole_prefs import PolePrefs
    from ..models.sign_spec import SignSpec
    from ..models.soil import Soil


T = TypeVar("T", bound="SinglePoleDesignRequest")


@_attrs_define
class SinglePoleDesignRequest:
    """signage.single_pole.design: sign, pole preferences, soil and footing diameter.

    Attributes:
        sign (SignSpec): A sign: cabinets hanging from overall_height_ft (the top) and its site.
        soil (Soil): Allowable lateral bearing (psf/ft) or an IBC Table 1806.2 class.
        footing (FootingGeometry): Diameter of the round footing.
        material (SinglePoleDesignRequestMaterial | Unset):  Default: SinglePoleDesignRequestMaterial.STEEL.
        prefs (PolePrefs | Unset): Which sections to rank and how (steel_grade filters families and sets Fy).
        isolated (bool | Unset):  Default: True.
    """

    sign: SignSpec
    soil: Soil
    footing: FootingGeometry
    material: SinglePoleDesignRequestMaterial | Unset = SinglePoleDesignRequestMaterial.STEEL
    prefs: PolePrefs | Unset = UNSET
    isolated: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        sign = self.sign.to_dict()

        soil = self.soil.to_dict()

        footing = self.footing.to_dict()

        material: str | Unset = UNSET
        if not isinstance(self.material, Unset):
            material = self.material.value

        prefs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.prefs, Unset):
            prefs = self.prefs.to_dict()

        isolated = self.isolated

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sign": sign,
                "soil": soil,
                "footing": footing,
            }
        )
        if material is not UNSET:
            field_dict["material"] = material
        if prefs is not UNSET:
            field_dict["prefs"] = prefs
        if isolated is not UNSET:
            field_dict["isolated"] = isolated

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.footing_geometry import FootingGeometry
        from ..models.pole_prefs import PolePrefs
        from ..models.sign_spec import SignSpec
        from ..models.soil import Soil

        d = dict(src_dict)
        sign = SignSpec.from_dict(d.pop("sign"))

        soil = Soil.from_dict(d.pop("soil"))

        footing = FootingGeometry.from_dict(d.pop("footing"))

        _material = d.pop("material", UNSET)
        material: SinglePoleDesignRequestMaterial | Unset
        if isinstance(_material, Unset):
            material = UNSET
        else:
            material = SinglePoleDesignRequestMaterial(_material)

        _prefs = d.pop("prefs", UNSET)
        prefs: PolePrefs | Unset
        if isinstance(_prefs, Unset):
            prefs = UNSET
        else:
            prefs = PolePrefs.from_dict(_prefs)

        isolated = d.pop("isolated", UNSET)

        single_pole_design_request = cls(
            sign=sign,
            soil=soil,
            footing=footing,
            material=material,
            prefs=prefs,
            isolated=isolated,
        )

        return single_pole_design_request
