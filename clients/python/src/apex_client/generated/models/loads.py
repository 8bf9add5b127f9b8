from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Loads")


@_attrs_define
class Loads:
    """Factored (LRFD) moment and shear at grade of the whole structure.

    Attributes:
        m_kipin (float):
        v_kip (float | None | Unset):
    """

    m_kipin: float
    v_kip: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        m_kipin = self.m_kipin

        v_kip: float | None | Unset
        if isinstance(self.v_kip, Unset):
            v_kip = UNSET
        else:
            v_kip = self.v_kip

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "M_kipin": m_kipin,
            }
        )
        if v_kip is not UNSET:
            field_dict["V_kip"] = v_kip

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        m_kipin = d.pop("M_kipin")

        def _parse_v_kip(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        v_kip = _parse_v_kip(d.pop("V_kip", UNSET))

        loads = cls(
            m_kipin=m_kipin,
            v_kip=v_kip,
        )

        return loads
