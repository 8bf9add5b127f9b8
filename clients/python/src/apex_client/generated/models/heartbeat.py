from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.heartbeat_checks import HeartbeatChecks


T = TypeVar("T", bound="Heartbeat")


@_attrs_define
class Heartbeat:
    """One process's readiness as it last wrote it (`topology.REDIS_HEARTBEATS`).

    Attributes:
        service (str):
        instance (str):
        ready (bool):
        checks (HeartbeatChecks):
        at (datetime.datetime):
    """

    service: str
    instance: str
    ready: bool
    checks: HeartbeatChecks
    at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        service = self.service

        instance = self.instance

        ready = self.ready

        checks = self.checks.to_dict()

        at = self.at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "service": service,
                "instance": instance,
                "ready": ready,
                "checks": checks,
                "at": at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.heartbeat_checks import HeartbeatChecks

        d = dict(src_dict)
        service = d.pop("service")

        instance = d.pop("instance")

        ready = d.pop("ready")

        checks = HeartbeatChecks.from_dict(d.pop("checks"))

        at = datetime.datetime.fromisoformat(d.pop("at"))

        heartbeat = cls(
            service=service,
            instance=instance,
            ready=ready,
            checks=checks,
            at=at,
        )

        heartbeat.additional_properties = d
        return heartbeat

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
