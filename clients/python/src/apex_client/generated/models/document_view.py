from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DocumentView")


@_attrs_define
class DocumentView:
    """
    Attributes:
        document_id (str):
        account (str):
        project_id (UUID):
        submission_id (UUID):
        submission_number (int):
        project_name (str):
        filename (str):
        pages (int):
        size_bytes (int):
        payload_sha256 (str):
        engineering (bool):
        trace_id (None | str):
        created_at (datetime.datetime):
        url (str):
        schema_version (int | Unset):  Default: 1.
        content_type (Literal['application/pdf'] | Unset):  Default: 'application/pdf'.
    """

    document_id: str
    account: str
    project_id: UUID
    submission_id: UUID
    submission_number: int
    project_name: str
    filename: str
    pages: int
    size_bytes: int
    payload_sha256: str
    engineering: bool
    trace_id: None | str
    created_at: datetime.datetime
    url: str
    schema_version: int | Unset = 1
    content_type: Literal["application/pdf"] | Unset = "application/pdf"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        document_id = self.document_id

        account = self.account

        project_id = str(self.project_id)

        submission_id = str(self.submission_id)

        submission_number = self.submission_number

        project_name = self.project_name

        filename = self.filename

        pages = self.pages

        size_bytes = self.size_bytes

        payload_sha256 = self.payload_sha256

        engineering = self.engineering

        trace_id: None | str
        trace_id = self.trace_id

        created_at = self.created_at.isoformat()

        url = self.url

        schema_version = self.schema_version

        content_type = self.content_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "document_id": document_id,
                "account": account,
                "project_id": project_id,
                "submission_id": submission_id,
                "submission_number": submission_number,
                "project_name": project_name,
                "filename": filename,
                "pages": pages,
                "size_bytes": size_bytes,
                "payload_sha256": payload_sha256,
                "engineering": engineering,
                "trace_id": trace_id,
                "created_at": created_at,
                "url": url,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version
        if content_type is not UNSET:
            field_dict["content_type"] = content_type

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        document_id = d.pop("document_id")

        account = d.pop("account")

        project_id = UUID(d.pop("project_id"))

        submission_id = UUID(d.pop("submission_id"))

        submission_number = d.pop("submission_number")

        project_name = d.pop("project_name")

        filename = d.pop("filename")

        pages = d.pop("pages")

        size_bytes = d.pop("size_bytes")

        payload_sha256 = d.pop("payload_sha256")

        engineering = d.pop("engineering")

        def _parse_trace_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        trace_id = _parse_trace_id(d.pop("trace_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        url = d.pop("url")

        schema_version = d.pop("schema_version", UNSET)

        content_type = cast(Literal["application/pdf"] | Unset, d.pop("content_type", UNSET))
        if content_type != "application/pdf" and not isinstance(content_type, Unset):
            raise ValueError(
                f"content_type must match const 'application/pdf', got '{content_type}'"
            )

        document_view = cls(
            document_id=document_id,
            account=account,
            project_id=project_id,
            submission_id=submission_id,
            submission_number=submission_number,
            project_name=project_name,
            filename=filename,
            pages=pages,
            size_bytes=size_bytes,
            payload_sha256=payload_sha256,
            engineering=engineering,
            trace_id=trace_id,
            created_at=created_at,
            url=url,
            schema_version=schema_version,
            content_type=content_type,
        )

        document_view.additional_properties = d
        return document_view

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
