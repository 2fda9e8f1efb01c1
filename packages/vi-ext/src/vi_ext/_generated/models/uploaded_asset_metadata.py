from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.asset_custom_metadata import AssetCustomMetadata


T = TypeVar("T", bound="UploadedAssetMetadata")


@_attrs_define
class UploadedAssetMetadata:
    """One file of an ingestion session, as answered.

    Example:
        {'kind': 'Image', 'filename': 'train/cat/001.jpg', 'mime': 'image/jpeg', 'size': 31337, 'crc32c': -1540344100,
            'customMetadata': None}

    """

    kind: str
    """ `Image` or `Video`. """
    filename: str
    """ Name in the dataset. """
    mime: str
    """ Declared MIME type. """
    size: int
    """ Declared size in bytes. """
    crc32c: int | None | Unset = UNSET
    """ Declared CRC-32C (signed 32-bit). """
    custom_metadata: AssetCustomMetadata | None | Unset = UNSET
    """ Custom metadata. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.asset_custom_metadata import AssetCustomMetadata  # noqa: PLC0415

        kind = self.kind

        filename = self.filename

        mime = self.mime

        size = self.size

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
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "filename": filename,
                "mime": mime,
                "size": size,
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
        kind = d.pop("kind")

        filename = d.pop("filename")

        mime = d.pop("mime")

        size = d.pop("size")

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

        uploaded_asset_metadata = cls(
            kind=kind,
            filename=filename,
            mime=mime,
            size=size,
            crc32c=crc32c,
            custom_metadata=custom_metadata,
        )

        uploaded_asset_metadata.additional_properties = d
        return uploaded_asset_metadata

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
