from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.string_map import StringMap


T = TypeVar("T", bound="SignedRequest")


@_attrs_define
class SignedRequest:
    """A signed URL and how to call it.

    Example:
        {'url': 'https://storage.example.com/uploads/abc?expires=1732410000&signature=deadbeef', 'expiry':
            1732410000000, 'headers': {'Content-Type': 'image/jpeg'}, 'method': 'PUT'}

    """

    url: str
    """ The signed URL. """
    expiry: int
    """ Milliseconds since the Unix epoch. """
    headers: StringMap | Unset = UNSET
    """ A map of strings. """
    method: str | Unset = UNSET
    """ HTTP method (`PUT` for uploads, `GET` for downloads). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        expiry = self.expiry

        headers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers, Unset):
            headers = self.headers.to_dict()

        method = self.method

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "url": url,
                "expiry": expiry,
            }
        )
        if headers is not UNSET:
            field_dict["headers"] = headers
        if method is not UNSET:
            field_dict["method"] = method

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.string_map import StringMap  # noqa: PLC0415

        d = dict(src_dict)
        url = d.pop("url")

        expiry = d.pop("expiry")

        _headers = d.pop("headers", UNSET)
        headers: StringMap | Unset
        if isinstance(_headers, Unset):
            headers = UNSET
        else:
            headers = StringMap.from_dict(_headers)

        method = d.pop("method", UNSET)

        signed_request = cls(
            url=url,
            expiry=expiry,
            headers=headers,
            method=method,
        )

        signed_request.additional_properties = d
        return signed_request

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
