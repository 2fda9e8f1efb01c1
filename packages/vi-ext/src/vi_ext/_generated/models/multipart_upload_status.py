from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.resource_condition import ResourceCondition


T = TypeVar("T", bound="MultipartUploadStatus")


@_attrs_define
class MultipartUploadStatus:
    """Where the multipart upload is.

    Example:
        {'conditions': [{'condition': 'Started', 'status': 'Reached', 'lastTransitionTime': 1732406400000}],
            'partCount': 16}

    """

    conditions: list[ResourceCondition]
    """ Conditions, newest first. """
    part_count: int
    """ Number of parts: part i of n holds floor(size/n) bytes, the last one also the remainder. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        conditions = []
        for conditions_item_data in self.conditions:
            conditions_item = conditions_item_data.to_dict()
            conditions.append(conditions_item)

        part_count = self.part_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "conditions": conditions,
                "partCount": part_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.resource_condition import ResourceCondition  # noqa: PLC0415

        d = dict(src_dict)
        conditions = []
        _conditions = d.pop("conditions")
        for conditions_item_data in _conditions:
            conditions_item = ResourceCondition.from_dict(conditions_item_data)

            conditions.append(conditions_item)

        part_count = d.pop("partCount")

        multipart_upload_status = cls(
            conditions=conditions,
            part_count=part_count,
        )

        multipart_upload_status.additional_properties = d
        return multipart_upload_status

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
