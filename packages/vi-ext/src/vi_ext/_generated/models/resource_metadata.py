from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.string_map import StringMap


T = TypeVar("T", bound="ResourceMetadata")


@_attrs_define
class ResourceMetadata:
    """Bookkeeping every resource carries.

    Example:
        {'timeCreated': 1732406400000, 'lastUpdated': 1732406405000, 'generation': 2, 'attributes': {}}

    """

    time_created: int
    """ Milliseconds since the Unix epoch. """
    last_updated: int
    """ Milliseconds since the Unix epoch. """
    generation: int
    """ Incremented on every change. """
    attributes: StringMap
    """ A map of strings. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        time_created = self.time_created

        last_updated = self.last_updated

        generation = self.generation

        attributes = self.attributes.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "timeCreated": time_created,
                "lastUpdated": last_updated,
                "generation": generation,
                "attributes": attributes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.string_map import StringMap  # noqa: PLC0415

        d = dict(src_dict)
        time_created = d.pop("timeCreated")

        last_updated = d.pop("lastUpdated")

        generation = d.pop("generation")

        attributes = StringMap.from_dict(d.pop("attributes"))

        resource_metadata = cls(
            time_created=time_created,
            last_updated=last_updated,
            generation=generation,
            attributes=attributes,
        )

        resource_metadata.additional_properties = d
        return resource_metadata

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
