from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Cabinet")


@_attrs_define
class Cabinet:
    """A cabinet centred on the pole; z_offset_ft is its bottom above grade.

    Attributes:
        width_ft (float):
        height_ft (float):
        depth_in (float | None | Unset):
        weight_psf (float | Unset):  Default: 10.0.
        z_offset_ft (float | None | Unset):
    """

    width_ft: float
    height_ft: float
    depth_in: float | None | Unset = UNSET
    weight_psf: float | Unset = 10.0
    z_offset_ft: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        width_ft = self.width_ft

        height_ft = self.height_ft

        depth_in: float | None | Unset
        if isinstance(self.depth_in, Unset):
            depth_in = UNSET
        else:
            depth_in = self.depth_in

        weight_psf = self.weight_psf

        z_offset_ft: float | None | Unset
        if isinstance(self.z_offset_ft, Unset):
            z_offset_ft = UNSET
        else:
            z_offset_ft = self.z_offset_ft

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "width_ft": width_ft,
                "height_ft": height_ft,
            }
        )
        if depth_in is not UNSET:
            field_dict["depth_in"] = depth_in
        if weight_psf is not UNSET:
            field_dict["weight_psf"] = weight_psf
        if z_offset_ft is not UNSET:
            field_dict["z_offset_ft"] = z_offset_ft

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        width_ft = d.pop("width_ft")

        height_ft = d.pop("height_ft")

        def _parse_depth_in(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        depth_in = _parse_depth_in(d.pop("depth_in", UNSET))

        weight_psf = d.pop("weight_psf", UNSET)

        def _parse_z_offset_ft(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        z_offset_ft = _parse_z_offset_ft(d.pop("z_offset_ft", UNSET))

        cabinet = cls(
            width_ft=width_ft,
            height_ft=height_ft,
            depth_in=depth_in,
            weight_psf=weight_psf,
            z_offset_ft=z_offset_ft,
        )

        return cabinet
