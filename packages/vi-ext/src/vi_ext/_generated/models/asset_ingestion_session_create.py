from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.asset_ingestion_session_create_spec import AssetIngestionSessionCreateSpec


T = TypeVar("T", bound="AssetIngestionSessionCreate")


@_attrs_define
class AssetIngestionSessionCreate:
    """Body of `createAssetIngestionSession`.

    Example:
        {'spec': {'assets': [{'filename': 'train/cat/001.jpg', 'mime': 'image/jpeg', 'size': 31337, 'crc32c':
            -1540344100, 'customMetadata': None, 'kind': 'Image'}], 'kind': 'Upload', 'failureMode': 'FailAfterOne',
            'onAssetOverwritten': 'RemoveLinkedResource'}}

    """

    spec: AssetIngestionSessionCreateSpec
    """ What to ingest and how. """

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
        from ..models.asset_ingestion_session_create_spec import AssetIngestionSessionCreateSpec  # noqa: PLC0415

        d = dict(src_dict)
        spec = AssetIngestionSessionCreateSpec.from_dict(d.pop("spec"))

        asset_ingestion_session_create = cls(
            spec=spec,
        )

        return asset_ingestion_session_create
