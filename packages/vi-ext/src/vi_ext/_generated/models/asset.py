from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.asset_contents import AssetContents
    from ..models.asset_metadata import AssetMetadata


T = TypeVar("T", bound="Asset")


@_attrs_define
class Asset:
    """An asset.

    Example:
        {'assetId': 'a1b2c3d4e5f6a7b8c9d0e1f2', 'datasetId': '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123',
            'workspaceId': '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', 'filename': 'train/cat/001.jpg', 'kind': 'Image',
            'owner': '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', 'metadata': {'generations': {'asset': '1732406405000',
            'thumbnail': '1732406405000'}, 'insertedBy': '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', 'annotations': {'withTag':
            {}, 'total': 0}, 'frames': 1, 'cohorts': [], 'fileSize': 31337, 'height': 480, 'width': 640, 'mimeType':
            'image/jpeg', 'source': 'upload', 'status': 'active', 'uploadStatus': 'uploaded', 'visibility': 'visible',
            'userDefined': {}, 'customMetadata': {}, 'dimensions': {'height': 480, 'width': 640}, 'pixelRatio': {'height':
            1, 'width': 1}, 'comments': 0, 'customMetadataCount': 0, 'hash': {'algorithm': 'sha256', 'contents':
            '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'}, 'contentsFrom': 'managed', 'framesChange':
            {}, 'timeCreated': 1732406400000, 'lastUpdated': 1732406405000, 'contentsLastUpdated': 1732406405000},
            'selfLink':
            '/workspaces/9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f/datasets/9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-
            abc123/assets/a1b2c3d4e5f6a7b8c9d0e1f2', 'etag': 'W/"1"'}

    """

    asset_id: str
    """ An id as it appears in a path. """
    dataset_id: str
    """ Composite dataset id `{organizationId}_{datasetId}`. """
    workspace_id: str
    """ The organization id. """
    filename: str
    """ File name, possibly with `/` (e.g. `train/cat/001.jpg`). """
    kind: str
    """ Resource kind, e.g. `Image`. """
    owner: str
    """ Owner id. """
    metadata: AssetMetadata
    """ Everything the server knows about an asset (all 25 keys are always present). """
    self_link: str
    """ URL of this resource. """
    etag: str
    """ Version tag. """
    contents: AssetContents | None | Unset = UNSET
    """ Signed download URLs (with `contents=y`; may be null). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.asset_contents import AssetContents  # noqa: PLC0415

        asset_id = self.asset_id

        dataset_id = self.dataset_id

        workspace_id = self.workspace_id

        filename = self.filename

        kind = self.kind

        owner = self.owner

        metadata = self.metadata.to_dict()

        self_link = self.self_link

        etag = self.etag

        contents: dict[str, Any] | None | Unset
        if isinstance(self.contents, Unset):
            contents = UNSET
        elif isinstance(self.contents, AssetContents):
            contents = self.contents.to_dict()
        else:
            contents = self.contents

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "assetId": asset_id,
                "datasetId": dataset_id,
                "workspaceId": workspace_id,
                "filename": filename,
                "kind": kind,
                "owner": owner,
                "metadata": metadata,
                "selfLink": self_link,
                "etag": etag,
            }
        )
        if contents is not UNSET:
            field_dict["contents"] = contents

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.asset_contents import AssetContents  # noqa: PLC0415
        from ..models.asset_metadata import AssetMetadata  # noqa: PLC0415

        d = dict(src_dict)
        asset_id = d.pop("assetId")

        dataset_id = d.pop("datasetId")

        workspace_id = d.pop("workspaceId")

        filename = d.pop("filename")

        kind = d.pop("kind")

        owner = d.pop("owner")

        metadata = AssetMetadata.from_dict(d.pop("metadata"))

        self_link = d.pop("selfLink")

        etag = d.pop("etag")

        def _parse_contents(data: object) -> AssetContents | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                contents_type_0 = AssetContents.from_dict(data)

                return contents_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AssetContents | None | Unset, data)

        contents = _parse_contents(d.pop("contents", UNSET))

        asset = cls(
            asset_id=asset_id,
            dataset_id=dataset_id,
            workspace_id=workspace_id,
            filename=filename,
            kind=kind,
            owner=owner,
            metadata=metadata,
            self_link=self_link,
            etag=etag,
            contents=contents,
        )

        asset.additional_properties = d
        return asset

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
