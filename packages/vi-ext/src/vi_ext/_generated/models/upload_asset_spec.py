from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.asset_custom_metadata import AssetCustomMetadata


T = TypeVar("T", bound="UploadAssetSpec")


@_attrs_define
class UploadAssetSpec:
    """One file of a new ingestion session.

    Example:
        {'filename': 'train/cat/001.jpg', 'mime': 'image/jpeg', 'size': 31337, 'crc32c': -1540344100, 'customMetadata':
            None, 'kind': 'Image'}

    """

    filename: str
    """ An asset filename as a client sends it: `/`-separated segments (`train/cat/001.jpg`), none
    of them empty, `.` or `..`; no leading `/`, no backslash, no NUL.
     """
    mime: str
    """ Declared MIME type. """
    size: int
    """ Size in bytes (at most 1 TiB). """
    kind: str
    """ Image or video. Known values: `Image`, `Video`. """
    crc32c: int | None | Unset = UNSET
    """ CRC-32C of the content as a signed 32-bit integer (big-endian digest); null when not computed. """
    custom_metadata: AssetCustomMetadata | None | Unset = UNSET
    """ Custom metadata to store on the asset. """

    def to_dict(self) -> dict[str, Any]:
        from ..models.asset_custom_metadata import AssetCustomMetadata  # noqa: PLC0415

        filename = self.filename

        mime = self.mime

        size = self.size

        kind = self.kind

        crc32c: int | None | Unset
        if isinstance(self.crc32c, Unset):
            crc32c = UNSET
        else:
            crc32c = self.crc32c

        custom_metadata: dict[str, Any] | None | Unset
        if isinstance(self.custom_metadata, Unset):
            custom_metadata = UNSET
        elif isinstance(self.custom_metadata, AssetCustomMetadata):
            custom_metadata = self.custom_metadata.to_dict()
        else:
            custom_metadata = self.custom_metadata

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "filename": filename,
                "mime": mime,
                "size": size,
                "kind": kind,
            }
        )
        if crc32c is not UNSET:
            field_dict["crc32c"] = crc32c
        if custom_metadata is not UNSET:
            field_dict["customMetadata"] = custom_metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.asset_custom_metadata import AssetCustomMetadata  # noqa: PLC0415

        d = dict(src_dict)
        filename = d.pop("filename")

        mime = d.pop("mime")

        size = d.pop("size")

        kind = d.pop("kind")

        def _parse_crc32c(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        crc32c = _parse_crc32c(d.pop("crc32c", UNSET))

        def _parse_custom_metadata(data: object) -> AssetCustomMetadata | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                custom_metadata_type_0 = AssetCustomMetadata.from_dict(data)

                return custom_metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AssetCustomMetadata | None | Unset, data)

        custom_metadata = _parse_custom_metadata(d.pop("customMetadata", UNSET))

        upload_asset_spec = cls(
            filename=filename,
            mime=mime,
            size=size,
            kind=kind,
            crc32c=crc32c,
            custom_metadata=custom_metadata,
        )

        return upload_asset_spec
