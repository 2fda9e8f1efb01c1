from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dataset_update_metadata import DatasetUpdateMetadata
    from ..models.dataset_update_preference import DatasetUpdatePreference


T = TypeVar("T", bound="DatasetUpdate")


@_attrs_define
class DatasetUpdate:
    """Body of `updateDataset`: a flat object; only the fields sent change (`type` and `content` cannot).

    Example:
        {'name': 'Cats and dogs (v2)', 'description': 'Pets, relabelled'}

    """

    name: str | Unset = UNSET
    """ New display name. """
    description: str | Unset = UNSET
    """ New free text. """
    preference: DatasetUpdatePreference | Unset = UNSET
    """ Display preferences, merged into the dataset's. """
    metadata: DatasetUpdateMetadata | Unset = UNSET
    """ Attributes merged into the dataset's (strict deployments may reject it). """

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        preference: dict[str, Any] | Unset = UNSET
        if not isinstance(self.preference, Unset):
            preference = self.preference.to_dict()

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if preference is not UNSET:
            field_dict["preference"] = preference
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dataset_update_metadata import DatasetUpdateMetadata  # noqa: PLC0415
        from ..models.dataset_update_preference import DatasetUpdatePreference  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        description = d.pop("description", UNSET)

        _preference = d.pop("preference", UNSET)
        preference: DatasetUpdatePreference | Unset
        if isinstance(_preference, Unset):
            preference = UNSET
        else:
            preference = DatasetUpdatePreference.from_dict(_preference)

        _metadata = d.pop("metadata", UNSET)
        metadata: DatasetUpdateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = DatasetUpdateMetadata.from_dict(_metadata)

        dataset_update = cls(
            name=name,
            description=description,
            preference=preference,
            metadata=metadata,
        )

        return dataset_update
