from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.signed_request import SignedRequest
    from ..models.uploaded_asset_metadata import UploadedAssetMetadata


T = TypeVar("T", bound="AssetForUpload")


@_attrs_define
class AssetForUpload:
    """A file of the session and its signed upload.

    Example:
        {'metadata': {'kind': 'Image', 'filename': 'train/cat/001.jpg', 'mime': 'image/jpeg', 'size': 31337, 'crc32c':
            -1540344100, 'customMetadata': None}, 'upload': {'url':
            'https://storage.example.com/uploads/u1?expires=1732410000&signature=ab', 'expiry': 1732410000000, 'headers':
            {'Content-Type': 'image/jpeg'}, 'method': 'PUT'}}

    """

    metadata: UploadedAssetMetadata
    """ One file of an ingestion session, as answered. """
    upload: SignedRequest
    """ A signed URL and how to call it. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        metadata = self.metadata.to_dict()

        upload = self.upload.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "metadata": metadata,
                "upload": upload,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.signed_request import SignedRequest  # noqa: PLC0415
        from ..models.uploaded_asset_metadata import UploadedAssetMetadata  # noqa: PLC0415

        d = dict(src_dict)
        metadata = UploadedAssetMetadata.from_dict(d.pop("metadata"))

        upload = SignedRequest.from_dict(d.pop("upload"))

        asset_for_upload = cls(
            metadata=metadata,
            upload=upload,
        )

        asset_for_upload.additional_properties = d
        return asset_for_upload

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
