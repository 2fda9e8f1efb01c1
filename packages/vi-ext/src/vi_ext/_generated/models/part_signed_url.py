from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.string_map import StringMap


T = TypeVar("T", bound="PartSignedUrl")


@_attrs_define
class PartSignedUrl:
    """Where and how to send one part, and what to report back.

    Example:
        {'method': 'PUT', 'url': 'https://storage.example.com/parts/m1/1?expires=1732410000&signature=ab', 'expiry':
            1732410000000, 'responseHeaders': ['ETag'], 'responseBody': False, 'headers': {}}

    """

    method: str
    """ HTTP method, `PUT`. """
    url: str
    """ The signed URL. """
    expiry: int
    """ Milliseconds since the Unix epoch. """
    response_headers: list[str]
    """ Names of storage response headers to report in the part completion. """
    response_body: bool
    """ Whether to report the storage response body (base64). """
    headers: None | StringMap | Unset = UNSET
    """ Headers to send with the part; absent or null means none. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.string_map import StringMap  # noqa: PLC0415

        method = self.method

        url = self.url

        expiry = self.expiry

        response_headers = self.response_headers

        response_body = self.response_body

        headers: dict[str, Any] | None | Unset
        if isinstance(self.headers, Unset):
            headers = UNSET
        elif isinstance(self.headers, StringMap):
            headers = self.headers.to_dict()
        else:
            headers = self.headers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "method": method,
                "url": url,
                "expiry": expiry,
                "responseHeaders": response_headers,
                "responseBody": response_body,
            }
        )
        if headers is not UNSET:
            field_dict["headers"] = headers

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.string_map import StringMap  # noqa: PLC0415

        d = dict(src_dict)
        method = d.pop("method")

        url = d.pop("url")

        expiry = d.pop("expiry")

        response_headers = cast(list[str], d.pop("responseHeaders"))

        response_body = d.pop("responseBody")

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

        part_signed_url = cls(
            method=method,
            url=url,
            expiry=expiry,
            response_headers=response_headers,
            response_body=response_body,
            headers=headers,
        )

        part_signed_url.additional_properties = d
        return part_signed_url

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
