from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.checkpoint_view import CheckpointView


T = TypeVar("T", bound="CheckpointPage")


@_attrs_define
class CheckpointPage:
    """
    Attributes:
        key_id (str):
        public_key (str):
        public_key_pem (str):
        items (list[CheckpointView]):
        next_cursor (None | str):
        schema_version (int | Unset):  Default: 1.
        algorithm (Literal['Ed25519'] | Unset):  Default: 'Ed25519'.
    """

    key_id: str
    public_key: str
    public_key_pem: str
    items: list[CheckpointView]
    next_cursor: None | str
    schema_version: int | Unset = 1
    algorithm: Literal["Ed25519"] | Unset = "Ed25519"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key_id = self.key_id

        public_key = self.public_key

        public_key_pem = self.public_key_pem

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        next_cursor: None | str
        next_cursor = self.next_cursor

        schema_version = self.schema_version

        algorithm = self.algorithm

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key_id": key_id,
                "public_key": public_key,
                "public_key_pem": public_key_pem,
                "items": items,
                "next_cursor": next_cursor,
            }
        )
        if schema_version is not UNSET:
            field_dict["schema_version"] = schema_version
        if algorithm is not UNSET:
            field_dict["algorithm"] = algorithm

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.checkpoint_view import CheckpointView

        d = dict(src_dict)
        key_id = d.pop("key_id")

        public_key = d.pop("public_key")

        public_key_pem = d.pop("public_key_pem")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = CheckpointView.from_dict(items_item_data)

            items.append(items_item)

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))

        schema_version = d.pop("schema_version", UNSET)

        algorithm = cast(Literal["Ed25519"] | Unset, d.pop("algorithm", UNSET))
        if algorithm != "Ed25519" and not isinstance(algorithm, Unset):
            raise ValueError(f"algorithm must match const 'Ed25519', got '{algorithm}'")

        checkpoint_page = cls(
            key_id=key_id,
            public_key=public_key,
            public_key_pem=public_key_pem,
            items=items,
            next_cursor=next_cursor,
            schema_version=schema_version,
            algorithm=algorithm,
        )

        checkpoint_page.additional_properties = d
        return checkpoint_page

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
