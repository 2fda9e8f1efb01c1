from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AssetStatusDefinition")


@_attrs_define
class AssetStatusDefinition:
    """A custom asset status.

    Example:
        {'description': 'Needs review', 'color': '#ff0000', 'createDate': 1732406400000}

    """

    description: str
    """ What the status means. """
    color: str
    """ Display colour. """
    create_date: int | None | Unset = UNSET
    """ When the status was created (may be null). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        color = self.color

        create_date: int | None | Unset
        if isinstance(self.create_date, Unset):
            create_date = UNSET
        else:
            create_date = self.create_date

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "color": color,
            }
        )
        if create_date is not UNSET:
            field_dict["createDate"] = create_date

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        color = d.pop("color")

        def _parse_create_date(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        create_date = _parse_create_date(d.pop("createDate", UNSET))

        asset_status_definition = cls(
            description=description,
            color=color,
            create_date=create_date,
        )

        asset_status_definition.additional_properties = d
        return asset_status_definition

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
