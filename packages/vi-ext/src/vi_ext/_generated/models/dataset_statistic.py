from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.count_map import CountMap


T = TypeVar("T", bound="DatasetStatistic")


@_attrs_define
class DatasetStatistic:
    """Counts kept for a dataset.

    Example:
        {'assetTotal': 300, 'annotationTotal': 0, 'tagsCount': {}, 'assetAnnotated': 0}

    """

    asset_total: int
    """ Number of assets. """
    annotation_total: int
    """ Number of annotations. """
    tags_count: CountMap
    """ A map of counts. """
    asset_annotated: int
    """ Number of annotated assets. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        asset_total = self.asset_total

        annotation_total = self.annotation_total

        tags_count = self.tags_count.to_dict()

        asset_annotated = self.asset_annotated

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "assetTotal": asset_total,
                "annotationTotal": annotation_total,
                "tagsCount": tags_count,
                "assetAnnotated": asset_annotated,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.count_map import CountMap  # noqa: PLC0415

        d = dict(src_dict)
        asset_total = d.pop("assetTotal")

        annotation_total = d.pop("annotationTotal")

        tags_count = CountMap.from_dict(d.pop("tagsCount"))

        asset_annotated = d.pop("assetAnnotated")

        dataset_statistic = cls(
            asset_total=asset_total,
            annotation_total=annotation_total,
            tags_count=tags_count,
            asset_annotated=asset_annotated,
        )

        dataset_statistic.additional_properties = d
        return dataset_statistic

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
