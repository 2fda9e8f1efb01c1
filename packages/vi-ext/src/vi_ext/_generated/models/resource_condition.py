from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ResourceCondition")


@_attrs_define
class ResourceCondition:
    """One condition of a long-running resource: `Started`, `Finished` or `All` (others may appear).

    Example:
        {'condition': 'Finished', 'status': 'Reached', 'lastTransitionTime': 1732406405000, 'reason': 'Completed',
            'message': 'All files processed'}

    """

    condition: str
    """ The condition's name: `Started`, `Finished`, `All`, … """
    status: str
    """ Whether a condition is reached. Known values: `Waiting`, `Reached`, `FailedReach`. """
    last_transition_time: int
    """ Milliseconds since the Unix epoch. """
    reason: None | str | Unset = UNSET
    """ Short machine-readable reason (may be null). """
    message: None | str | Unset = UNSET
    """ Explanation for a person (may be null). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        condition = self.condition

        status = self.status

        last_transition_time = self.last_transition_time

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        message: None | str | Unset
        if isinstance(self.message, Unset):
            message = UNSET
        else:
            message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "condition": condition,
                "status": status,
                "lastTransitionTime": last_transition_time,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason
        if message is not UNSET:
            field_dict["message"] = message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        condition = d.pop("condition")

        status = d.pop("status")

        last_transition_time = d.pop("lastTransitionTime")

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        def _parse_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        message = _parse_message(d.pop("message", UNSET))

        resource_condition = cls(
            condition=condition,
            status=status,
            last_transition_time=last_transition_time,
            reason=reason,
            message=message,
        )

        resource_condition.additional_properties = d
        return resource_condition

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
