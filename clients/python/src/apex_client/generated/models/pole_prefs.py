from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.pole_prefs_family_item import PolePrefsFamilyItem
from ..models.pole_prefs_sort_by import PolePrefsSortBy
from ..models.pole_prefs_steel_grade_type_0 import PolePrefsSteelGradeType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="PolePrefs")


@_attrs_define
class PolePrefs:
    """Which sections to rank and how (steel_grade filters families and sets Fy).

    Attributes:
        family (list[PolePrefsFamilyItem] | Unset):
        steel_grade (None | PolePrefsSteelGradeType0 | Unset):
        sort_by (PolePrefsSortBy | Unset):  Default: PolePrefsSortBy.WEIGHT.
        max_depth_in (float | None | Unset):
        max_options (int | Unset):  Default: 20.
    """

    family: list[PolePrefsFamilyItem] | Unset = UNSET
    steel_grade: None | PolePrefsSteelGradeType0 | Unset = UNSET
    sort_by: PolePrefsSortBy | Unset = PolePrefsSortBy.WEIGHT
    max_depth_in: float | None | Unset = UNSET
    max_options: int | Unset = 20

    def to_dict(self) -> dict[str, Any]:
        family: list[str] | Unset = UNSET
        if not isinstance(self.family, Unset):
            family = []
            for family_item_data in self.family:
                family_item = family_item_data.value
                family.append(family_item)

        steel_grade: None | str | Unset
        if isinstance(self.steel_grade, Unset):
            steel_grade = UNSET
        elif isinstance(self.steel_grade, PolePrefsSteelGradeType0):
            steel_grade = self.steel_grade.value
        else:
            steel_grade = self.steel_grade

        sort_by: str | Unset = UNSET
        if not isinstance(self.sort_by, Unset):
            sort_by = self.sort_by.value

        max_depth_in: float | None | Unset
        if isinstance(self.max_depth_in, Unset):
            max_depth_in = UNSET
        else:
            max_depth_in = self.max_depth_in

        max_options = self.max_options

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if family is not UNSET:
            field_dict["family"] = family
        if steel_grade is not UNSET:
            field_dict["steel_grade"] = steel_grade
        if sort_by is not UNSET:
            field_dict["sort_by"] = sort_by
        if max_depth_in is not UNSET:
            field_dict["max_depth_in"] = max_depth_in
        if max_options is not UNSET:
            field_dict["max_options"] = max_options

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _family = d.pop("family", UNSET)
        family: list[PolePrefsFamilyItem] | Unset = UNSET
        if _family is not UNSET:
            family = []
            for family_item_data in _family:
                family_item = PolePrefsFamilyItem(family_item_data)

                family.append(family_item)

        def _parse_steel_grade(data: object) -> None | PolePrefsSteelGradeType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                steel_grade_type_0 = PolePrefsSteelGradeType0(data)

                return steel_grade_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PolePrefsSteelGradeType0 | Unset, data)

        steel_grade = _parse_steel_grade(d.pop("steel_grade", UNSET))

        _sort_by = d.pop("sort_by", UNSET)
        sort_by: PolePrefsSortBy | Unset
        if isinstance(_sort_by, Unset):
            sort_by = UNSET
        else:
            sort_by = PolePrefsSortBy(_sort_by)

        def _parse_max_depth_in(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_depth_in = _parse_max_depth_in(d.pop("max_depth_in", UNSET))

        max_options = d.pop("max_options", UNSET)

        pole_prefs = cls(
            family=family,
            steel_grade=steel_grade,
            sort_by=sort_by,
            max_depth_in=max_depth_in,
            max_options=max_options,
        )

        return pole_prefs
