from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.broker_status import BrokerStatus
    from ..models.queue_status import QueueStatus
    from ..models.service_status import ServiceStatus


T = TypeVar("T", bound="SystemStatus")


@_attrs_define
class SystemStatus:
    """`GET /admin/status`.

    Attributes:
        services (list[ServiceStatus]):
        queues (list[QueueStatus]):
        dead_letters (int | None):
        broker (BrokerStatus):
    """

    services: list[ServiceStatus]
    queues: list[QueueStatus]
    dead_letters: int | None
    broker: BrokerStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        services = []
        for services_item_data in self.services:
            services_item = services_item_data.to_dict()
            services.append(services_item)

        queues = []
        for queues_item_data in self.queues:
            queues_item = queues_item_data.to_dict()
            queues.append(queues_item)

        dead_letters: int | None
        dead_letters = self.dead_letters

        broker = self.broker.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "services": services,
                "queues": queues,
                "dead_letters": dead_letters,
                "broker": broker,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.broker_status import BrokerStatus
        from ..models.queue_status import QueueStatus
        from ..models.service_status import ServiceStatus

        d = dict(src_dict)
        services = []
        _services = d.pop("services")
        for services_item_data in _services:
            services_item = ServiceStatus.from_dict(services_item_data)

            services.append(services_item)

        queues = []
        _queues = d.pop("queues")
        for queues_item_data in _queues:
            queues_item = QueueStatus.from_dict(queues_item_data)

            queues.append(queues_item)

        def _parse_dead_letters(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        dead_letters = _parse_dead_letters(d.pop("dead_letters"))

        broker = BrokerStatus.from_dict(d.pop("broker"))

        system_status = cls(
            services=services,
            queues=queues,
            dead_letters=dead_letters,
            broker=broker,
        )

        system_status.additional_properties = d
        return system_status

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
