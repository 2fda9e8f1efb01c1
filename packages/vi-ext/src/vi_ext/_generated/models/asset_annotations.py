from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.count_map import CountMap


T = TypeVar("T", bound="AssetAnnotations")


@_attrs_define
class AssetAnnotations:
    """Annotation counts.

    Example:
        {'withTag': {'cat': 2}, 'total': 2}

    """

    with_tag: CountMap
    """ A map of counts. """
    total: int
    """ Total annotations. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        with_tag = self.with_tag.to_dict()

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "withTag": with_tag,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.count_map import CountMap  # noqa: PLC0415

        d = dict(src_dict)
        with_tag = CountMap.from_dict(d.pop("withTag"))

        total = d.pop("total")

        asset_annotations = cls(
            with_tag=with_tag,
            total=total,
        )

        asset_annotations.additional_properties = d
        return asset_annotations

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
