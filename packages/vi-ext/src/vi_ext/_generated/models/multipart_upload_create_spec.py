from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MultipartUploadCreateSpec")


@_attrs_define
class MultipartUploadCreateSpec:
    """Which file of which ingestion session.

    Example:
        {'ingestionId': 'i1a2b3c4d5e6f7a8b9c0d1e2', 'filename': 'big/scan.tiff', 'contentType': 'image/tiff',
            'sizeBytes': 1073741824}

    """

    ingestion_id: str
    """ An id as it appears in a path. """
    filename: str
    """ An asset filename as a client sends it: `/`-separated segments (`train/cat/001.jpg`), none
    of them empty, `.` or `..`; no leading `/`, no backslash, no NUL.
     """
    size_bytes: int
    """ Size in bytes (at most 1 TiB). """
    content_type: None | str | Unset = UNSET
    """ MIME type, if known. """

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

        multipart_upload_create_spec = cls(
            ingestion_id=ingestion_id,
            filename=filename,
            size_bytes=size_bytes,
            content_type=content_type,
        )

        return multipart_upload_create_spec
