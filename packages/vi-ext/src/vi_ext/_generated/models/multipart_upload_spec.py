from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MultipartUploadSpec")


@_attrs_define
class MultipartUploadSpec:
    """The multipart upload's spec, as answered.

    Example:
        {'ingestionId': 'i1a2b3c4d5e6f7a8b9c0d1e2', 'filename': 'big/scan.tiff', 'sizeBytes': 1073741824, 'contentType':
            'image/tiff'}

    """

    ingestion_id: str
    """ An id as it appears in a path. """
    filename: str
    """ The file's name. """
    size_bytes: int
    """ Size in bytes. """
    content_type: None | str | Unset = UNSET
    """ MIME type. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ingestion_id = self.ingestion_id

        filename = self.filename

        size_bytes = self.size_bytes

        content_type: None | str | Unset
        if isinstance(self.content_type, Unset):
            content_type = UNSET
        else:
            content_type = self.content_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ingestionId": ingestion_id,
                "filename": filename,
                "sizeBytes": size_bytes,
            }
        )
        if content_type is not UNSET:
            field_dict["contentType"] = content_type

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ingestion_id = d.pop("ingestionId")

        filename = d.pop("filename")

        size_bytes = d.pop("sizeBytes")

        def _parse_content_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        content_type = _parse_content_type(d.pop("contentType", UNSET))

        multipart_upload_spec = cls(
            ingestion_id=ingestion_id,
            filename=filename,
            size_bytes=size_bytes,
            content_type=content_type,
        )

        multipart_upload_spec.additional_properties = d
        return multipart_upload_spec

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
