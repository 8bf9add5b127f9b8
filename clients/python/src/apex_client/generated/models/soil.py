from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Soil")


@_attrs_define
class Soil:
    """Allowable lateral bearing (psf/ft) or an IBC Table 1806.2 class.

    Attributes:
        lateral_bearing_psf_per_ft (float | None | Unset):
        soil_class (int | None | Unset):
    """

    lateral_bearing_psf_per_ft: float | None | Unset = UNSET
    soil_class: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        lateral_bearing_psf_per_ft: float | None | Unset
        if isinstance(self.lateral_bearing_psf_per_ft, Unset):
            lateral_bearing_psf_per_ft = UNSET
        else:
            lateral_bearing_psf_per_ft = self.lateral_bearing_psf_per_ft

        soil_class: int | None | Unset
        if isinstance(self.soil_class, Unset):
            soil_class = UNSET
        else:
            soil_class = self.soil_class

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if lateral_bearing_psf_per_ft is not UNSET:
            field_dict["lateral_bearing_psf_per_ft"] = lateral_bearing_psf_per_ft
        if soil_class is not UNSET:
            field_dict["soil_class"] = soil_class

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_lateral_bearing_psf_per_ft(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        lateral_bearing_psf_per_ft = _parse_lateral_bearing_psf_per_ft(
            d.pop("lateral_bearing_psf_per_ft", UNSET)
        )

        def _parse_soil_class(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        soil_class = _parse_soil_class(d.pop("soil_class", UNSET))

        soil = cls(
            lateral_bearing_psf_per_ft=lateral_bearing_psf_per_ft,
            soil_class=soil_class,
        )

        return soil
