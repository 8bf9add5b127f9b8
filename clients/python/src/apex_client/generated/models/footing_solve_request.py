from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.soil import Soil


T = TypeVar("T", bound="FootingSolveRequest")


@_attrs_define
class FootingSolveRequest:
    """signage.footing.solve: ASD lateral load P at h_ft (or M at grade and h_ft).

    Attributes:
        h_ft (float):
        diameter_ft (float):
        soil (Soil): Allowable lateral bearing (psf/ft) or an IBC Table 1806.2 class.
        p_lbf (float | None | Unset):
        m_pole_kipft (float | None | Unset):
        isolated (bool | Unset):  Default: True.
        constrained (bool | Unset):  Default: False.
        num_poles (int | Unset):  Default: 1.
    """

    h_ft: float
    diameter_ft: float
    soil: Soil
    p_lbf: float | None | Unset = UNSET
    m_pole_kipft: float | None | Unset = UNSET
    isolated: bool | Unset = True
    constrained: bool | Unset = False
    num_poles: int | Unset = 1

    def to_dict(self) -> dict[str, Any]:
        h_ft = self.h_ft

        diameter_ft = self.diameter_ft

        soil = self.soil.to_dict()

        p_lbf: float | None | Unset
        if isinstance(self.p_lbf, Unset):
            p_lbf = UNSET
        else:
            p_lbf = self.p_lbf

        m_pole_kipft: float | None | Unset
        if isinstance(self.m_pole_kipft, Unset):
            m_pole_kipft = UNSET
        else:
            m_pole_kipft = self.m_pole_kipft

        isolated = self.isolated

        constrained = self.constrained

        num_poles = self.num_poles

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "h_ft": h_ft,
                "diameter_ft": diameter_ft,
                "soil": soil,
            }
        )
        if p_lbf is not UNSET:
            field_dict["P_lbf"] = p_lbf
        if m_pole_kipft is not UNSET:
            field_dict["M_pole_kipft"] = m_pole_kipft
        if isolated is not UNSET:
            field_dict["isolated"] = isolated
        if constrained is not UNSET:
            field_dict["constrained"] = constrained
        if num_poles is not UNSET:
            field_dict["num_poles"] = num_poles

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.soil import Soil

        d = dict(src_dict)
        h_ft = d.pop("h_ft")

        diameter_ft = d.pop("diameter_ft")

        soil = Soil.from_dict(d.pop("soil"))

        def _parse_p_lbf(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        p_lbf = _parse_p_lbf(d.pop("P_lbf", UNSET))

        def _parse_m_pole_kipft(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        m_pole_kipft = _parse_m_pole_kipft(d.pop("M_pole_kipft", UNSET))

        isolated = d.pop("isolated", UNSET)

        constrained = d.pop("constrained", UNSET)

        num_poles = d.pop("num_poles", UNSET)

        footing_solve_request = cls(
            h_ft=h_ft,
            diameter_ft=diameter_ft,
            soil=soil,
            p_lbf=p_lbf,
            m_pole_kipft=m_pole_kipft,
            isolated=isolated,
            constrained=constrained,
            num_poles=num_poles,
        )

        return footing_solve_request
