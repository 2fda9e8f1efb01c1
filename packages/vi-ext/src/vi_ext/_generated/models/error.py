from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """The body of every 4xx and 5xx answer. What went wrong is in `message`; some gateways
    put it in `error` instead, so a client reads whichever is present.

        Example:
            {'message': "Dataset 'dataset-abc123' not found", 'code': 'ResourceNotFound', 'status': 404}

    """

    message: str | Unset = UNSET
    """ What went wrong, for a person. """
    error: str | Unset = UNSET
    """ What went wrong, as some gateways spell it (instead of `message`). """
    code: str | Unset = UNSET
    """ A machine-readable code, e.g. `ResourceNotFound`, `ValidationFailed`. """
    status: int | Unset = UNSET
    """ The HTTP status, repeated. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        error = self.error

        code = self.code

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if message is not UNSET:
            field_dict["message"] = message
        if error is not UNSET:
            field_dict["error"] = error
        if code is not UNSET:
            field_dict["code"] = code
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message = d.pop("message", UNSET)

        error = d.pop("error", UNSET)

        code = d.pop("code", UNSET)

        status = d.pop("status", UNSET)

        error = cls(
            message=message,
            error=error,
            code=code,
            status=status,
        )

        error.additional_properties = d
        return error

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
