from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.trace_inputs import TraceInputs
    from ..models.trace_intermediates import TraceIntermediates
    from ..models.trace_outputs import TraceOutputs


T = TypeVar("T", bound="Trace")


@_attrs_define
class Trace:
    """
    Attributes:
        inputs (TraceInputs):
        intermediates (TraceIntermediates):
        outputs (TraceOutputs):
    """

    inputs: TraceInputs
    intermediates: TraceIntermediates
    outputs: TraceOutputs
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        inputs = self.inputs.to_dict()

        intermediates = self.intermediates.to_dict()

        outputs = self.outputs.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "inputs": inputs,
                "intermediates": intermediates,
                "outputs": outputs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.trace_inputs import TraceInputs
        from ..models.trace_intermediates import TraceIntermediates
        from ..models.trace_outputs import TraceOutputs

        d = dict(src_dict)
        inputs = TraceInputs.from_dict(d.pop("inputs"))

        intermediates = TraceIntermediates.from_dict(d.pop("intermediates"))

        outputs = TraceOutputs.from_dict(d.pop("outputs"))

        trace = cls(
            inputs=inputs,
            intermediates=intermediates,
            outputs=outputs,
        )

        trace.additional_properties = d
        return trace

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
