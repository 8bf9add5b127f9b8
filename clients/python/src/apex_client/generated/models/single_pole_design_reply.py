from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.footing_result import FootingResult
    from ..models.pole_option import PoleOption
    from ..models.sign_loads import SignLoads
    from ..models.trace import Trace


T = TypeVar("T", bound="SinglePoleDesignReply")


@_attrs_define
class SinglePoleDesignReply:
    """
    Attributes:
        assumptions (list[str]):
        trace (Trace):
        code_version (str):
        sign (SignLoads):
        pole (None | PoleOption):
        feasible_count (int):
        footing (FootingResult):
        catalogue_version (str):
        schema_version (int | Unset):  Default: 1.
    """

    assumptions: list[str]
    trace: Trace
    code_version: str
    sign: SignLoads
    pole: None | PoleOption
    feasible_count: int
    footing: FootingResult
    catalogue_version: str
    schema_version: int | Unset = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.pole_option import PoleOption

        assumptions = self.assumptions

        trace = self.trace.to_dict()

        code_version = self.code_version

        sign = self.sign.to_dict()

        pole: dict[str, Any] | None
        if isinstance(self.pole, PoleOption):
            pole = self.pole.to_dict()
        else:
            pole = self.pole

        feasible_count = self.feasible_count

        footing = self.footing.to_dict()

        catalogue_version = self.catalogue_version

        schema_version = self.schema_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "assumptions": assumptions,
                "trace": trace,
                "code_version": code_version,
                "sign": sign,
                "pole": pole,
                "feasible_count": feasible_count,
                "footing": footing,
                "catalogue_version": catalogue_version,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.footing_result import FootingResult
        from ..models.pole_option import PoleOption
        from ..models.sign_loads import SignLoads
        from ..models.trace import Trace

        d = dict(src_dict)
        assumptions = cast(list[str], d.pop("assumptions"))

        trace = Trace.from_dict(d.pop("trace"))

        code_version = d.pop("code_version")

        sign = SignLoads.from_dict(d.pop("sign"))

        def _parse_pole(data: object) -> None | PoleOption:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                pole_type_0 = PoleOption.from_dict(data)

                return pole_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PoleOption, data)

        pole = _parse_pole(d.pop("pole"))

        feasible_count = d.pop("feasible_count")

        footing = FootingResult.from_dict(d.pop("footing"))

        catalogue_version = d.pop("catalogue_version")

        schema_version = d.pop("schema_version", UNSET)

        single_pole_design_reply = cls(
            assumptions=assumptions,
            trace=trace,
            code_version=code_version,
            sign=sign,
            pole=pole,
            feasible_count=feasible_count,
            footing=footing,
            catalogue_version=catalogue_version,
            schema_version=schema_version,
        )

        single_pole_design_reply.additional_properties = d
        return single_pole_design_reply

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
