from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.multipart_upload_spec import MultipartUploadSpec
    from ..models.multipart_upload_status import MultipartUploadStatus
    from ..models.resource_metadata import ResourceMetadata


T = TypeVar("T", bound="MultipartUpload")


@_attrs_define
class MultipartUpload:
    """A multipart upload of one file.

    Example:
        {'kind': 'MultipartUpload', 'workspaceId': '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', 'datasetId':
            '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123', 'assetSourceClass': 'managed', 'assetSourceProvider':
            'datature', 'assetSourceId': 'default', 'multipartUploadId': 'm1a2b3c4d5e6f7a8b9c0d1e2', 'selfLink':
            '/workspaces/9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f/datasets/9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-
            abc123/assetSources/managed/datature/default/multipartUploads/m1a2b3c4d5e6f7a8b9c0d1e2', 'etag': 'W/"1"',
            'metadata': {'timeCreated': 1732406400000, 'lastUpdated': 1732406400000, 'generation': 1, 'attributes': {}},
            'spec': {'ingestionId': 'i1a2b3c4d5e6f7a8b9c0d1e2', 'filename': 'big/scan.tiff', 'sizeBytes': 1073741824,
            'contentType': 'image/tiff'}, 'status': {'conditions': [{'condition': 'Started', 'status': 'Reached',
            'lastTransitionTime': 1732406400000}], 'partCount': 16}}

    """

    workspace_id: str
    """ The organization id. """
    dataset_id: str
    """ Composite dataset id. """
    asset_source_class: str
    """ `managed`. """
    asset_source_provider: str
    """ `datature`. """
    asset_source_id: str
    """ `default`. """
    multipart_upload_id: str
    """ An id as it appears in a path. """
    self_link: str
    """ URL of this resource. """
    etag: str
    """ Version tag. """
    metadata: ResourceMetadata
    """ Bookkeeping every resource carries. """
    spec: MultipartUploadSpec
    """ The multipart upload's spec, as answered. """
    status: MultipartUploadStatus
    """ Where the multipart upload is. """
    kind: Literal["MultipartUpload"] | Unset = UNSET
    """ Type tag. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        workspace_id = self.workspace_id

        dataset_id = self.dataset_id

        asset_source_class = self.asset_source_class

        asset_source_provider = self.asset_source_provider

        asset_source_id = self.asset_source_id

        multipart_upload_id = self.multipart_upload_id

        self_link = self.self_link

        etag = self.etag

        metadata = self.metadata.to_dict()

        spec = self.spec.to_dict()

        status = self.status.to_dict()

        kind = self.kind

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "workspaceId": workspace_id,
                "datasetId": dataset_id,
                "assetSourceClass": asset_source_class,
                "assetSourceProvider": asset_source_provider,
                "assetSourceId": asset_source_id,
                "multipartUploadId": multipart_upload_id,
                "selfLink": self_link,
                "etag": etag,
                "metadata": metadata,
                "spec": spec,
                "status": status,
            }
        )
        if kind is not UNSET:
            field_dict["kind"] = kind

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.multipart_upload_spec import MultipartUploadSpec  # noqa: PLC0415
        from ..models.multipart_upload_status import MultipartUploadStatus  # noqa: PLC0415
        from ..models.resource_metadata import ResourceMetadata  # noqa: PLC0415

        d = dict(src_dict)
        workspace_id = d.pop("workspaceId")

        dataset_id = d.pop("datasetId")

        asset_source_class = d.pop("assetSourceClass")

        asset_source_provider = d.pop("assetSourceProvider")

        asset_source_id = d.pop("assetSourceId")

        multipart_upload_id = d.pop("multipartUploadId")

        self_link = d.pop("selfLink")

        etag = d.pop("etag")

        metadata = ResourceMetadata.from_dict(d.pop("metadata"))

        spec = MultipartUploadSpec.from_dict(d.pop("spec"))

        status = MultipartUploadStatus.from_dict(d.pop("status"))

        kind = cast(Literal["MultipartUpload"] | Unset, d.pop("kind", UNSET))
        if kind != "MultipartUpload" and not isinstance(kind, Unset):
            raise ValueError(f"kind must match const 'MultipartUpload', got '{kind}'")

        multipart_upload = cls(
            workspace_id=workspace_id,
            dataset_id=dataset_id,
            asset_source_class=asset_source_class,
            asset_source_provider=asset_source_provider,
            asset_source_id=asset_source_id,
            multipart_upload_id=multipart_upload_id,
            self_link=self_link,
            etag=etag,
            metadata=metadata,
            spec=spec,
            status=status,
            kind=kind,
        )

        multipart_upload.additional_properties = d
        return multipart_upload

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
