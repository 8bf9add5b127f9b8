from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cabinet import Cabinet
    from ..models.site import Site


T = TypeVar("T", bound="CabinetsDeriveRequest")


@_attrs_define
class CabinetsDeriveRequest:
    """signage.cabinets.derive: geometry, and wind actions when a site is given.

    Attributes:
        overall_height_ft (float):
        cabinets (list[Cabinet]):
        site (None | Site | Unset):
    """

    overall_height_ft: float
    cabinets: list[Cabinet]
    site: None | Site | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.site import Site

        overall_height_ft = self.overall_height_ft

        cabinets = []
        for cabinets_item_data in self.cabinets:
            cabinets_item = cabinets_item_data.to_dict()
            cabinets.append(cabinets_item)

        site: dict[str, Any] | None | Unset
        if isinstance(self.site, Unset):
            site = UNSET
        elif isinstance(self.site, Site):
            site = self.site.to_dict()
        else:
            site = self.site

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "overall_height_ft": overall_height_ft,
                "cabinets": cabinets,
            }
        )
        if site is not UNSET:
            field_dict["site"] = site

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

        def _parse_site(data: object) -> None | Site | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                site_type_0 = Site.from_dict(data)

                return site_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Site | Unset, data)

        site = _parse_site(d.pop("site", UNSET))

        cabinets_derive_request = cls(
            overall_height_ft=overall_height_ft,
            cabinets=cabinets,
            site=site,
        )

        return cabinets_derive_request
