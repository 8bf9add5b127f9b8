from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.site_exposure import SiteExposure
from ..types import UNSET, Unset

T = TypeVar("T", bound="Site")


@_attrs_define
class Site:
    """ASCE 7-16 site: ultimate basic wind speed V (Fig. 26.5-1), exposure, K_zt, K_e.

    Attributes:
        wind_speed_mph (float):
        exposure (SiteExposure):
        kzt (float | Unset):  Default: 1.0.
        ke (float | Unset):  Default: 1.0.
    """

    wind_speed_mph: float
    exposure: SiteExposure
    kzt: float | Unset = 1.0
    ke: float | Unset = 1.0

    def to_dict(self) -> dict[str, Any]:
        wind_speed_mph = self.wind_speed_mph

        exposure = self.exposure.value

        kzt = self.kzt

        ke = self.ke

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "wind_speed_mph": wind_speed_mph,
                "exposure": exposure,
            }
        )
        if kzt is not UNSET:
            field_dict["kzt"] = kzt
        if ke is not UNSET:
            field_dict["ke"] = ke

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        wind_speed_mph = d.pop("wind_speed_mph")

        exposure = SiteExposure(d.pop("exposure"))

        kzt = d.pop("kzt", UNSET)

        ke = d.pop("ke", UNSET)

        site = cls(
            wind_speed_mph=wind_speed_mph,
            exposure=exposure,
            kzt=kzt,
            ke=ke,
        )

        return site
