from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.project_site_draft_exposure_type_0 import ProjectSiteDraftExposureType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProjectSiteDraft")


@_attrs_define
class ProjectSiteDraft:
    """`site` in a request body (`ProjectSite` itself is forward compatible inside messages).

    Attributes:
        address (None | str | Unset):
        wind_speed_mph (float | None | Unset):
        exposure (None | ProjectSiteDraftExposureType0 | Unset):
    """

    address: None | str | Unset = UNSET
    wind_speed_mph: float | None | Unset = UNSET
    exposure: None | ProjectSiteDraftExposureType0 | Unset = UNSET

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
        elif isinstance(self.exposure, ProjectSiteDraftExposureType0):
            exposure = self.exposure.value
        else:
            exposure = self.exposure

        field_dict: dict[str, Any] = {}

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

        def _parse_exposure(data: object) -> None | ProjectSiteDraftExposureType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                exposure_type_0 = ProjectSiteDraftExposureType0(data)

                return exposure_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProjectSiteDraftExposureType0 | Unset, data)

        exposure = _parse_exposure(d.pop("exposure", UNSET))

        project_site_draft = cls(
            address=address,
            wind_speed_mph=wind_speed_mph,
            exposure=exposure,
        )

        return project_site_draft
