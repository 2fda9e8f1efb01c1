from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.string_map import StringMap


T = TypeVar("T", bound="PartCompletion")


@_attrs_define
class PartCompletion:
    """What the storage answered to a part upload.

    Example:
        {'responseHeaders': {'ETag': '"5d41402abc4b2a76b9719d911017c592"'}}

    """

    response_headers: StringMap
    """ A map of strings. """
    response_body: str | Unset = UNSET
    """ The storage response body, base64. """

    def to_dict(self) -> dict[str, Any]:
        response_headers = self.response_headers.to_dict()

        response_body = self.response_body

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "responseHeaders": response_headers,
            }
        )
        if response_body is not UNSET:
            field_dict["responseBody"] = response_body

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.string_map import StringMap  # noqa: PLC0415

        d = dict(src_dict)
        response_headers = StringMap.from_dict(d.pop("responseHeaders"))

        response_body = d.pop("responseBody", UNSET)

        part_completion = cls(
            response_headers=response_headers,
            response_body=response_body,
        )

        return part_completion
