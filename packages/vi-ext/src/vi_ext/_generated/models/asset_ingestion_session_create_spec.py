from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..models.resource_retention_mode_input import ResourceRetentionModeInput

if TYPE_CHECKING:
    from ..models.upload_asset_spec import UploadAssetSpec


T = TypeVar("T", bound="AssetIngestionSessionCreateSpec")


@_attrs_define
class AssetIngestionSessionCreateSpec:
    """What to ingest and how.

    Example:
        {'assets': [{'filename': 'train/cat/001.jpg', 'mime': 'image/jpeg', 'size': 31337, 'crc32c': -1540344100,
            'customMetadata': None, 'kind': 'Image'}], 'kind': 'Upload', 'failureMode': 'FailAfterOne',
            'onAssetOverwritten': 'RemoveLinkedResource'}

    """

    assets: list[UploadAssetSpec]
    """ The files (at most 10 000). """
    kind: Literal["Upload"]
    """ Always `Upload`. """
    failure_mode: str
    """ `FailAfterOne` stops ingesting after the first file error; `FailAfterAll` ingests every file. Known values:
    `FailAfterOne`, `FailAfterAll`. """
    on_asset_overwritten: ResourceRetentionModeInput
    """ What happens to annotations of an overwritten asset; both spellings of "keep" are accepted. """

    def to_dict(self) -> dict[str, Any]:
        assets = []
        for assets_item_data in self.assets:
            assets_item = assets_item_data.to_dict()
            assets.append(assets_item)

        kind = self.kind

        failure_mode = self.failure_mode

        on_asset_overwritten = self.on_asset_overwritten.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "assets": assets,
                "kind": kind,
                "failureMode": failure_mode,
                "onAssetOverwritten": on_asset_overwritten,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.upload_asset_spec import UploadAssetSpec  # noqa: PLC0415

        d = dict(src_dict)
        assets = []
        _assets = d.pop("assets")
        for assets_item_data in _assets:
            assets_item = UploadAssetSpec.from_dict(assets_item_data)

            assets.append(assets_item)

        kind = cast(Literal["Upload"], d.pop("kind"))
        if kind != "Upload":
            raise ValueError(f"kind must match const 'Upload', got '{kind}'")

        failure_mode = d.pop("failureMode")

        on_asset_overwritten = ResourceRetentionModeInput(d.pop("onAssetOverwritten"))

        asset_ingestion_session_create_spec = cls(
            assets=assets,
            kind=kind,
            failure_mode=failure_mode,
            on_asset_overwritten=on_asset_overwritten,
        )

        return asset_ingestion_session_create_spec
