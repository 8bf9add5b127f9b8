from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.trace import Trace


T = TypeVar("T", bound="ConcreteYardsReply")


@_attrs_define
class ConcreteYardsReply:
    """
    Attributes:
        assumptions (list[str]):
        trace (Trace):
        code_version (str):
        cubic_yards (float):
        schema_version (int | Unset):  Default: 1.
    """

    assumptions: list[str]
    trace: Trace
    code_version: str
    cubic_yards: float
    schema_version: int | Unset = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        assumptions = self.assumptions

        trace = self.trace.to_dict()

        code_version = self.code_version

        cubic_yards = self.cubic_yards

        schema_version = self.schema_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "assumptions": assumptions,
                "trace": trace,
                "code_version": code_version,
                "cubic_yards": cubic_yards,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.trace import Trace

        d = dict(src_dict)
        assumptions = cast(list[str], d.pop("assumptions"))

        trace = Trace.from_dict(d.pop("trace"))

        code_version = d.pop("code_version")

        cubic_yards = d.pop("cubic_yards")

        schema_version = d.pop("schema_version", UNSET)

        concrete_yards_reply = cls(
            assumptions=assumptions,
            trace=trace,
            code_version=code_version,
            cubic_yards=cubic_yards,
            schema_version=schema_version,
        )

        concrete_yards_reply.additional_properties = d
        return concrete_yards_reply

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
