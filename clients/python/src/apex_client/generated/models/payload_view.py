from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.payload_view_config import PayloadViewConfig


T = TypeVar("T", bound="PayloadView")


@_attrs_define
class PayloadView:
    """
    Attributes:
        project_id (UUID):
        module (str):
        config (PayloadViewConfig):
        payload_version (int):
        sha256 (str):
        saved_by (str):
        saved_at (datetime.datetime):
        schema_version (int | Unset):  Default: 1.
    """

    project_id: UUID
    module: str
    config: PayloadViewConfig
    payload_version: int
    sha256: str
    saved_by: str
    saved_at: datetime.datetime
    schema_version: int | Unset = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        project_id = str(self.project_id)

        module = self.module

        config = self.config.to_dict()

        payload_version = self.payload_version

        sha256 = self.sha256

        saved_by = self.saved_by

        saved_at = self.saved_at.isoformat()

        schema_version = self.schema_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "project_id": project_id,
                "module": module,
                "config": config,
                "payload_version": payload_version,
                "sha256": sha256,
                "saved_by": saved_by,
                "saved_at": saved_at,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.payload_view_config import PayloadViewConfig

        d = dict(src_dict)
        project_id = UUID(d.pop("project_id"))

        module = d.pop("module")

        config = PayloadViewConfig.from_dict(d.pop("config"))

        payload_version = d.pop("payload_version")

        sha256 = d.pop("sha256")

        saved_by = d.pop("saved_by")

        saved_at = datetime.datetime.fromisoformat(d.pop("saved_at"))

        schema_version = d.pop("schema_version", UNSET)

        payload_view = cls(
            project_id=project_id,
            module=module,
            config=config,
            payload_version=payload_version,
            sha256=sha256,
            saved_by=saved_by,
            saved_at=saved_at,
            schema_version=schema_version,
        )

        payload_view.additional_properties = d
        return payload_view

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
