from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="FootingIteration")


@_attrs_define
class FootingIteration:
    """
    Attributes:
        n (int):
        d_ft (float):
        s_psf (float):
        a_ft (float | None):
        d_next_ft (float):
    """

    n: int
    d_ft: float
    s_psf: float
    a_ft: float | None
    d_next_ft: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        n = self.n

        d_ft = self.d_ft

        s_psf = self.s_psf

        a_ft: float | None
        a_ft = self.a_ft

        d_next_ft = self.d_next_ft

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "n": n,
                "d_ft": d_ft,
                "S_psf": s_psf,
                "A_ft": a_ft,
                "d_next_ft": d_next_ft,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        n = d.pop("n")

        d_ft = d.pop("d_ft")

        s_psf = d.pop("S_psf")

        def _parse_a_ft(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        a_ft = _parse_a_ft(d.pop("A_ft"))

        d_next_ft = d.pop("d_next_ft")

        footing_iteration = cls(
            n=n,
            d_ft=d_ft,
            s_psf=s_psf,
            a_ft=a_ft,
            d_next_ft=d_next_ft,
        )

        footing_iteration.additional_properties = d
        return footing_iteration

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
