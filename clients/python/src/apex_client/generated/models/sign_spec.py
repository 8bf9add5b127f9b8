from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.cabinet import Cabinet
    from ..models.site import Site


T = TypeVar("T", bound="SignSpec")


@_attrs_define
class SignSpec:
    """A sign: cabinets hanging from overall_height_ft (the top) and its site.

    Attributes:
        overall_height_ft (float):
        cabinets (list[Cabinet]):
        site (Site): ASCE 7-16 site: ultimate basic wind speed V (Fig. 26.5-1), exposure, K_zt, K_e.
    """

    overall_height_ft: float
    cabinets: list[Cabinet]
    site: Site

    def to_dict(self) -> dict[str, Any]:
        overall_height_ft = self.overall_height_ft

        cabinets = []
        for cabinets_item_data in self.cabinets:
            cabinets_item = cabinets_item_data.to_dict()
            cabinets.append(cabinets_item)

        site = self.site.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "overall_height_ft": overall_height_ft,
                "cabinets": cabinets,
                "site": site,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.cabinet import Cabinet
        from ..models.site import Site

        d = dict(src_dict)
        overall_height_ft = d.pop("overall_height_ft")

        cabinets = []
        _cabinets = d.pop("cabinets")
        for cabinets_item_data in _cabinets:
            cabinets_item = Cabinet.from_dict(cabinets_item_data)

            cabinets.append(cabinets_item)

        site = Site.from_dict(d.pop("site"))

        sign_spec = cls(
            overall_height_ft=overall_height_ft,
            cabinets=cabinets,
            site=site,
        )

        return sign_spec
