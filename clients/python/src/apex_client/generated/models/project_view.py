from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.project_view_status import ProjectViewStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.project_site import ProjectSite


T = TypeVar("T", bound="ProjectView")


@_attrs_define
class ProjectView:
    """
    Attributes:
        project_id (UUID):
        account (str):
        name (str):
        customer (str):
        pm_email (None | str):
        notes (None | str):
        site (None | ProjectSite):
        status (ProjectViewStatus):
        version (int):
        created_by (str):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        schema_version (int | Unset):  Default: 1.
    """

    project_id: UUID
    account: str
    name: str
    customer: str
    pm_email: None | str
    notes: None | str
    site: None | ProjectSite
    status: ProjectViewStatus
    version: int
    created_by: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    schema_version: int | Unset = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.project_site import ProjectSite

        project_id = str(self.project_id)

        account = self.account

        name = self.name

        customer = self.customer

        pm_email: None | str
        pm_email = self.pm_email

        notes: None | str
        notes = self.notes

        site: dict[str, Any] | None
        if isinstance(self.site, ProjectSite):
            site = self.site.to_dict()
        else:
            site = self.site

        status = self.status.value

        version = self.version

        created_by = self.created_by

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        schema_version = self.schema_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "project_id": project_id,
                "account": account,
                "name": name,
                "customer": customer,
                "pm_email": pm_email,
                "notes": notes,
                "site": site,
                "status": status,
                "version": version,
                "created_by": created_by,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.project_site import ProjectSite

        d = dict(src_dict)
        project_id = UUID(d.pop("project_id"))

        account = d.pop("account")

        name = d.pop("name")

        customer = d.pop("customer")

        def _parse_pm_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        pm_email = _parse_pm_email(d.pop("pm_email"))

        def _parse_notes(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        notes = _parse_notes(d.pop("notes"))

        def _parse_site(data: object) -> None | ProjectSite:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                site_type_0 = ProjectSite.from_dict(data)

                return site_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProjectSite, data)

        site = _parse_site(d.pop("site"))

        status = ProjectViewStatus(d.pop("status"))

        version = d.pop("version")

        created_by = d.pop("created_by")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        schema_version = d.pop("schema_version", UNSET)

        project_view = cls(
            project_id=project_id,
            account=account,
            name=name,
            customer=customer,
            pm_email=pm_email,
            notes=notes,
            site=site,
            status=status,
            version=version,
            created_by=created_by,
            created_at=created_at,
            updated_at=updated_at,
            schema_version=schema_version,
        )

        project_view.additional_properties = d
        return project_view

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
