from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConcreteYardsRequest")


@_attrs_define
class ConcreteYardsRequest:
    """signage.concrete.yards: count round footings.

    Attributes:
        diameter_ft (float):
        depth_ft (float):
        count (int | Unset):  Default: 1.
    """

    diameter_ft: float
    depth_ft: float
    count: int | Unset = 1

    def to_dict(self) -> dict[str, Any]:
        diameter_ft = self.diameter_ft

        depth_ft = self.depth_ft

        count = self.count

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "diameter_ft": diameter_ft,
                "depth_ft": depth_ft,
            }
        )
        if count is not UNSET:
            field_dict["count"] = count

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        diameter_ft = d.pop("diameter_ft")

        depth_ft = d.pop("depth_ft")

        count = d.pop("count", UNSET)

        concrete_yards_request = cls(
            diameter_ft=diameter_ft,
            depth_ft=depth_ft,
            count=count,
        )

        return concrete_yards_request
