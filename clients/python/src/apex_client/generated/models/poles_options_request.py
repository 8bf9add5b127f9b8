from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.poles_options_request_material import PolesOptionsRequestMaterial
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.loads import Loads
    from ..models.pole_prefs import PolePrefs
    from ..models.sign_spec import SignSpec


T = TypeVar("T", bound="PolesOptionsRequest")


@_attrs_define
class PolesOptionsRequest:
    """signage.poles.options: rank the catalogue for loads or a sign.

    Attributes:
        height_ft (float):
        num_poles (int | Unset):  Default: 1.
        material (PolesOptionsRequestMaterial | Unset):  Default: PolesOptionsRequestMaterial.STEEL.
        loads (Loads | None | Unset):
        sign (None | SignSpec | Unset):
        prefs (PolePrefs | Unset): Which sections to rank and how (steel_grade filters families and sets Fy).
    """

    height_ft: float
    num_poles: int | Unset = 1
    material: PolesOptionsRequestMaterial | Unset = PolesOptionsRequestMaterial.STEEL
    loads: Loads | None | Unset = UNSET
    sign: None | SignSpec | Unset = UNSET
    prefs: PolePrefs | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.loads import Loads
        from ..models.sign_spec import SignSpec

        height_ft = self.height_ft

        num_poles = self.num_poles

        material: str | Unset = UNSET
        if not isinstance(self.material, Unset):
            material = self.material.value

        loads: dict[str, Any] | None | Unset
        if isinstance(self.loads, Unset):
            loads = UNSET
        elif isinstance(self.loads, Loads):
            loads = self.loads.to_dict()
        else:
            loads = self.loads

        sign: dict[str, Any] | None | Unset
        if isinstance(self.sign, Unset):
            sign = UNSET
        elif isinstance(self.sign, SignSpec):
            sign = self.sign.to_dict()
        else:
            sign = self.sign

        prefs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.prefs, Unset):
            prefs = self.prefs.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "height_ft": height_ft,
            }
        )
        if num_poles is not UNSET:
            field_dict["num_poles"] = num_poles
        if material is not UNSET:
            field_dict["material"] = material
        if loads is not UNSET:
            field_dict["loads"] = loads
        if sign is not UNSET:
            field_dict["sign"] = sign
        if prefs is not UNSET:
            field_dict["prefs"] = prefs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.loads import Loads
        from ..models.pole_prefs import PolePrefs
        from ..models.sign_spec import SignSpec

        d = dict(src_dict)
        height_ft = d.pop("height_ft")

        num_poles = d.pop("num_poles", UNSET)

        _material = d.pop("material", UNSET)
        material: PolesOptionsRequestMaterial | Unset
        if isinstance(_material, Unset):
            material = UNSET
        else:
            material = PolesOptionsRequestMaterial(_material)

        def _parse_loads(data: object) -> Loads | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                loads_type_0 = Loads.from_dict(data)

                return loads_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Loads | None | Unset, data)

        loads = _parse_loads(d.pop("loads", UNSET))

        def _parse_sign(data: object) -> None | SignSpec | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sign_type_0 = SignSpec.from_dict(data)

                return sign_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SignSpec | Unset, data)

        sign = _parse_sign(d.pop("sign", UNSET))

        _prefs = d.pop("prefs", UNSET)
        prefs: PolePrefs | Unset
        if isinstance(_prefs, Unset):
            prefs = UNSET
        else:
            prefs = PolePrefs.from_dict(_prefs)

        poles_options_request = cls(
            height_ft=height_ft,
            num_poles=num_poles,
            material=material,
            loads=loads,
            sign=sign,
            prefs=prefs,
        )

        return poles_options_request
