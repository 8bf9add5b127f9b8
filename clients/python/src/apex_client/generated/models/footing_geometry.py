from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="FootingGeometry")


@_attrs_define
class FootingGeometry:
    """Diameter of the round footing.

    Attributes:
        diameter_ft (float):
    """

    diameter_ft: float

    def to_dict(self) -> dict[str, Any]:
        diameter_ft = self.diameter_ft

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "diameter_ft": diameter_ft,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        diameter_ft = d.pop("diameter_ft")

        footing_geometry = cls(
            diameter_ft=diameter_ft,
        )

        return footing_geometry
