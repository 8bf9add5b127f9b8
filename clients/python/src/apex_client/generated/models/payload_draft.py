from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.payload_draft_config import PayloadDraftConfig


T = TypeVar("T", bound="PayloadDraft")


@_attrs_define
class PayloadDraft:
    """Body of `POST /projects/{id}/payload`.

    Attributes:
        module (str):
        config (PayloadDraftConfig):
    """

    module: str
    config: PayloadDraftConfig

    def to_dict(self) -> dict[str, Any]:
        module = self.module

        config = self.config.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "module": module,
                "config": config,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.payload_draft_config import PayloadDraftConfig

        d = dict(src_dict)
        module = d.pop("module")

        config = PayloadDraftConfig.from_dict(d.pop("config"))

        payload_draft = cls(
            module=module,
            config=config,
        )

        return payload_draft
