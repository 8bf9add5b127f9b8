from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.project_site_draft import ProjectSiteDraft


T = TypeVar("T", bound="ProjectDraft")


@_attrs_define
class ProjectDraft:
    """Body of `POST /projects` and `PUT /projects/{id}`.

    Attributes:
        name (str):
        customer (str):
        pm_email (None | str | Unset):
        notes (None | str | Unset):
        site (None | ProjectSiteDraft | Unset):
    """

    name: str
    customer: str
    pm_email: None | str | Unset = UNSET
    notes: None | str | Unset = UNSET
    site: None | ProjectSiteDraft | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.project_site_draft import ProjectSiteDraft

        name = self.name

        customer = self.customer

        pm_email: None | str | Unset
        if isinstance(self.pm_email, Unset):
            pm_email = UNSET
        else:
            pm_email = self.pm_email

        notes: None | str | Unset
        if isinstance(self.notes, Unset):
            notes = UNSET
        else:
            notes = self.notes

        site: dict[str, Any] | None | Unset
        if isinstance(self.site, Unset):
            site = UNSET
        elif isinstance(self.site, ProjectSiteDraft):
            site = self.site.to_dict()
        else:
            site = self.site

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "customer": customer,
            }
        )
        if pm_email is not UNSET:
            field_dict["pm_email"] = pm_email
        if notes is not UNSET:
            field_dict["notes"] = notes
        if site is not UNSET:
            field_dict["site"] = site

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.project_site_draft import ProjectSiteDraft

        d = dict(src_dict)
        name = d.pop("name")

        customer = d.pop("customer")

        def _parse_pm_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pm_email = _parse_pm_email(d.pop("pm_email", UNSET))

        def _parse_notes(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        notes = _parse_notes(d.pop("notes", UNSET))

        def _parse_site(data: object) -> None | ProjectSiteDraft | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                site_type_0 = ProjectSiteDraft.from_dict(data)

                return site_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProjectSiteDraft | Unset, data)

        site = _parse_site(d.pop("site", UNSET))

        project_draft = cls(
            name=name,
            customer=customer,
            pm_email=pm_email,
            notes=notes,
            site=site,
        )

        return project_draft
