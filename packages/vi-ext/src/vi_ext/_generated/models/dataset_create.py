from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.count_map import CountMap
    from ..models.dataset_create_metadata import DatasetCreateMetadata


T = TypeVar("T", bound="DatasetCreate")


@_attrs_define
class DatasetCreate:
    """Body of `createDataset`: a flat object (a `{kind, spec}` wrapper is rejected).

    Example:
        {'name': 'Cats and dogs', 'datasetId': 'dataset-abc123', 'description': 'Pets', 'type': 'phrase-grounding',
            'content': 'Image', 'localization': 'Datature/Multi', 'dataLocalization': 'Datature/Multi', 'status': 0, 'tags':
            {}}

    """

    name: str
    """ Display name. """
    dataset_id: str | Unset = UNSET
    """ Fixes the (short) dataset id instead of letting the server pick one. """
    owner: str | Unset = UNSET
    """ The organization id. """
    description: str | Unset = UNSET
    """ Free text. """
    type_: str | Unset = UNSET
    """ What the dataset is annotated for. Known values: `phrase-grounding`, `vqa`, `freeform`. """
    content: str | Unset = UNSET
    """ The kind of media in the dataset. Known values: `Image`. """
    localization: str | Unset = UNSET
    """ Where the data lives. Known values: `Datature/Multi`. """
    data_localization: str | Unset = UNSET
    """ Where the data lives. Known values: `Datature/Multi`. """
    status: int | Unset = UNSET
    """ Status code of the dataset (0). """
    tags: CountMap | Unset = UNSET
    """ A map of counts. """
    metadata: DatasetCreateMetadata | Unset = UNSET
    """ Extra attributes (strict deployments may reject it). """

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        dataset_id = self.dataset_id

        owner = self.owner

        description = self.description

        type_ = self.type_

        content = self.content

        localization = self.localization

        data_localization = self.data_localization

        status = self.status

        tags: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags.to_dict()

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if dataset_id is not UNSET:
            field_dict["datasetId"] = dataset_id
        if owner is not UNSET:
            field_dict["owner"] = owner
        if description is not UNSET:
            field_dict["description"] = description
        if type_ is not UNSET:
            field_dict["type"] = type_
        if content is not UNSET:
            field_dict["content"] = content
        if localization is not UNSET:
            field_dict["localization"] = localization
        if data_localization is not UNSET:
            field_dict["dataLocalization"] = data_localization
        if status is not UNSET:
            field_dict["status"] = status
        if tags is not UNSET:
            field_dict["tags"] = tags
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.count_map import CountMap  # noqa: PLC0415
        from ..models.dataset_create_metadata import DatasetCreateMetadata  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        dataset_id = d.pop("datasetId", UNSET)

        owner = d.pop("owner", UNSET)

        description = d.pop("description", UNSET)

        type_ = d.pop("type", UNSET)

        content = d.pop("content", UNSET)

        localization = d.pop("localization", UNSET)

        data_localization = d.pop("dataLocalization", UNSET)

        status = d.pop("status", UNSET)

        _tags = d.pop("tags", UNSET)
        tags: CountMap | Unset
        if isinstance(_tags, Unset):
            tags = UNSET
        else:
            tags = CountMap.from_dict(_tags)

        _metadata = d.pop("metadata", UNSET)
        metadata: DatasetCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = DatasetCreateMetadata.from_dict(_metadata)

        dataset_create = cls(
            name=name,
            dataset_id=dataset_id,
            owner=owner,
            description=description,
            type_=type_,
            content=content,
            localization=localization,
            data_localization=data_localization,
            status=status,
            tags=tags,
            metadata=metadata,
        )

        return dataset_create
