from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pole_option import PoleOption
    from ..models.trace import Trace


T = TypeVar("T", bound="PolesOptionsReply")


@_attrs_define
class PolesOptionsReply:
    """
    Attributes:
        assumptions (list[str]):
        trace (Trace):
        code_version (str):
        options (list[PoleOption]):
        recommended (None | PoleOption):
        feasible_count (int):
        evaluated_count (int):
        catalogue_version (str):
        schema_version (int | Unset):  Default: 1.
    """

    assumptions: list[str]
    trace: Trace
    code_version: str
    options: list[PoleOption]
    recommended: None | PoleOption
    feasible_count: int
    evaluated_count: int
    catalogue_version: str
    schema_version: int | Unset = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.pole_option import PoleOption

        assumptions = self.assumptions

        trace = self.trace.to_dict()

        code_version = self.code_version

        options = []
        for options_item_data in self.options:
            options_item = options_item_data.to_dict()
            options.append(options_item)

        recommended: dict[str, Any] | None
        if isinstance(self.recommended, PoleOption):
            recommended = self.recommended.to_dict()
        else:
            recommended = self.recommended

        feasible_count = self.feasible_count

        evaluated_count = self.evaluated_count

        catalogue_version = self.catalogue_version

        schema_version = self.schema_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "assumptions": assumptions,
                "trace": trace,
                "code_version": code_version,
                "options": options,
                "recommended": recommended,
                "feasible_count": feasible_count,
                "evaluated_count": evaluated_count,
                "catalogue_version": catalogue_version,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.pole_option import PoleOption
        from ..models.trace import Trace

        d = dict(src_dict)
        assumptions = cast(list[str], d.pop("assumptions"))

        trace = Trace.from_dict(d.pop("trace"))

        code_version = d.pop("code_version")

        options = []
        _options = d.pop("options")
        for options_item_data in _options:
            options_item = PoleOption.from_dict(options_item_data)

            options.append(options_item)

        def _parse_recommended(data: object) -> None | PoleOption:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                recommended_type_0 = PoleOption.from_dict(data)

                return recommended_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PoleOption, data)

        recommended = _parse_recommended(d.pop("recommended"))

        feasible_count = d.pop("feasible_count")

        evaluated_count = d.pop("evaluated_count")

        catalogue_version = d.pop("catalogue_version")

        schema_version = d.pop("schema_version", UNSET)

        poles_options_reply = cls(
            assumptions=assumptions,
            trace=trace,
            code_version=code_version,
            options=options,
            recommended=recommended,
            feasible_count=feasible_count,
            evaluated_count=evaluated_count,
            catalogue_version=catalogue_version,
            schema_version=schema_version,
        )

        poles_options_reply.additional_properties = d
        return poles_options_reply

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
