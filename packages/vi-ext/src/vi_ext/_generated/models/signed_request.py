from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

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
    headers: None | StringMap | Unset = UNSET
    """ Headers to send with the request; absent or null means none. """
    method: None | str | Unset = UNSET
    """ HTTP method (`PUT` for uploads, `GET` for downloads); absent or null means the default. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.string_map import StringMap  # noqa: PLC0415

        url = self.url

        expiry = self.expiry

        headers: dict[str, Any] | None | Unset
        if isinstance(self.headers, Unset):
            headers = UNSET
        elif isinstance(self.headers, StringMap):
            headers = self.headers.to_dict()
        else:
            headers = self.headers

        method: None | str | Unset
        if isinstance(self.method, Unset):
            method = UNSET
        else:
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

        def _parse_headers(data: object) -> None | StringMap | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                headers_type_0 = StringMap.from_dict(data)

                return headers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StringMap | Unset, data)

        headers = _parse_headers(d.pop("headers", UNSET))

        def _parse_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        method = _parse_method(d.pop("method", UNSET))

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
