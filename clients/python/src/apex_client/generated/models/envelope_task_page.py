from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.envelope_task_page_trace import EnvelopeTaskPageTrace
    from ..models.field_error import FieldError
    from ..models.task_page import TaskPage


T = TypeVar("T", bound="EnvelopeTaskPage")


@_attrs_define
class EnvelopeTaskPage:
    """
    Attributes:
        result (None | TaskPage):
        errors (list[FieldError]):
        assumptions (list[str]):
        confidence (float):
        trace (EnvelopeTaskPageTrace):
    """

    result: None | TaskPage
    errors: list[FieldError]
    assumptions: list[str]
    confidence: float
    trace: EnvelopeTaskPageTrace
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.task_page import TaskPage

        result: dict[str, Any] | None
        if isinstance(self.result, TaskPage):
            result = self.result.to_dict()
        else:
            result = self.result

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        assumptions = self.assumptions

        confidence = self.confidence

        trace = self.trace.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "result": result,
                "errors": errors,
                "assumptions": assumptions,
                "confidence": confidence,
                "trace": trace,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.envelope_task_page_trace import EnvelopeTaskPageTrace
        from ..models.field_error import FieldError
        from ..models.task_page import TaskPage

        d = dict(src_dict)

        def _parse_result(data: object) -> None | TaskPage:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                result_type_0 = TaskPage.from_dict(data)

                return result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaskPage, data)

        result = _parse_result(d.pop("result"))

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = FieldError.from_dict(errors_item_data)

            errors.append(errors_item)

        assumptions = cast(list[str], d.pop("assumptions"))

        confidence = d.pop("confidence")

        trace = EnvelopeTaskPageTrace.from_dict(d.pop("trace"))

        envelope_task_page = cls(
            result=result,
            errors=errors,
            assumptions=assumptions,
            confidence=confidence,
            trace=trace,
        )

        envelope_task_page.additional_properties = d
        return envelope_task_page

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
