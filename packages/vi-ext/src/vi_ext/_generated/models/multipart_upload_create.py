from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.multipart_upload_create_spec import MultipartUploadCreateSpec


T = TypeVar("T", bound="MultipartUploadCreate")


@_attrs_define
class MultipartUploadCreate:
    """Body of `createMultipartUpload`.

    Example:
        {'spec': {'ingestionId': 'i1a2b3c4d5e6f7a8b9c0d1e2', 'filename': 'big/scan.tiff', 'contentType': 'image/tiff',
            'sizeBytes': 1073741824}}

    """

    spec: MultipartUploadCreateSpec
    """ Which file of which ingestion session. """

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "spec": spec,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.multipart_upload_create_spec import MultipartUploadCreateSpec  # noqa: PLC0415

        d = dict(src_dict)
        spec = MultipartUploadCreateSpec.from_dict(d.pop("spec"))

        multipart_upload_create = cls(
            spec=spec,
        )

        return multipart_upload_create
