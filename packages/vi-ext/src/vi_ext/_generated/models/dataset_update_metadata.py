from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.string_map import StringMap


T = TypeVar("T", bound="DatasetUpdateMetadata")


@_attrs_define
class DatasetUpdateMetadata:
    """Attributes merged into the dataset's (strict deployments may reject it)."""

    attributes: StringMap
    """ A map of strings. """

    def to_dict(self) -> dict[str, Any]:
        attributes = self.attributes.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attributes": attributes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.string_map import StringMap  # noqa: PLC0415

        d = dict(src_dict)
        attributes = StringMap.from_dict(d.pop("attributes"))

        dataset_update_metadata = cls(
            attributes=attributes,
        )

        return dataset_update_metadata
