from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DatasetAccess")


@_attrs_define
class DatasetAccess:
    """Access flags.

    Example:
        {'isPublic': False, 'isReadOnly': False, 'isHidden': False}

    """

    is_public: bool | None
    """ Readable by anyone. """
    is_read_only: bool | None
    """ No writes allowed. """
    is_hidden: bool | None | Unset = UNSET
    """ Hidden from listings. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        is_public: bool | None
        is_public = self.is_public

        is_read_only: bool | None
        is_read_only = self.is_read_only

        is_hidden: bool | None | Unset
        if isinstance(self.is_hidden, Unset):
            is_hidden = UNSET
        else:
            is_hidden = self.is_hidden

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "isPublic": is_public,
                "isReadOnly": is_read_only,
            }
        )
        if is_hidden is not UNSET:
            field_dict["isHidden"] = is_hidden

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_is_public(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        is_public = _parse_is_public(d.pop("isPublic"))

        def _parse_is_read_only(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        is_read_only = _parse_is_read_only(d.pop("isReadOnly"))

        def _parse_is_hidden(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        is_hidden = _parse_is_hidden(d.pop("isHidden", UNSET))

        dataset_access = cls(
            is_public=is_public,
            is_read_only=is_read_only,
            is_hidden=is_hidden,
        )

        dataset_access.additional_properties = d
        return dataset_access

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
