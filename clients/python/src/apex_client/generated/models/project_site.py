from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.project_site_exposure_type_0 import ProjectSiteExposureType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProjectSite")


@_attrs_define
class ProjectSite:
    """
    Attributes:
        address (None | str | Unset):
        wind_speed_mph (float | None | Unset):
        exposure (None | ProjectSiteExposureType0 | Unset):
    """

    address: None | str | Unset = UNSET
    wind_speed_mph: float | None | Unset = UNSET
    exposure: None | ProjectSiteExposureType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        address: None | str | Unset
        if isinstance(self.address, Unset):
            address = UNSET
        else:
            address = self.address

        wind_speed_mph: float | None | Unset
        if isinstance(self.wind_speed_mph, Unset):
            wind_speed_mph = UNSET
        else:
            wind_speed_mph = self.wind_speed_mph

        exposure: None | str | Unset
        if isinstance(self.exposure, Unset):
            exposure = UNSET
        elif isinstance(self.exposure, ProjectSiteExposureType0):
            exposure = self.exposure.value
        else:
            exposure = self.exposure

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if address is not UNSET:
            field_dict["address"] = address
        if wind_speed_mph is not UNSET:
            field_dict["wind_speed_mph"] = wind_speed_mph
        if exposure is not UNSET:
            field_dict["exposure"] = exposure

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_address(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        address = _parse_address(d.pop("address", UNSET))

        def _parse_wind_speed_mph(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        wind_speed_mph = _parse_wind_speed_mph(d.pop("wind_speed_mph", UNSET))

        def _parse_exposure(data: object) -> None | ProjectSiteExposureType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                exposure_type_0 = ProjectSiteExposureType0(data)

                return exposure_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProjectSiteExposureType0 | Unset, data)

        exposure = _parse_exposure(d.pop("exposure", UNSET))

        project_site = cls(
            address=address,
            wind_speed_mph=wind_speed_mph,
            exposure=exposure,
        )

        project_site.additional_properties = d
        return project_site

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
