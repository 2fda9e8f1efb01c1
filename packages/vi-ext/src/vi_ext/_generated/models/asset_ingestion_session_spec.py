from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.uploaded_asset_metadata import UploadedAssetMetadata


T = TypeVar("T", bound="AssetIngestionSessionSpec")


@_attrs_define
class AssetIngestionSessionSpec:
    """The session's spec, as answered.

    Example:
        {'kind': 'Upload', 'failureMode': 'FailAfterAll', 'onAssetOverwritten': 'RemoveLinkedResource'}

    """

    kind: str
    """ `Upload`. """
    failure_mode: str
    """ `FailAfterOne` stops ingesting after the first file error; `FailAfterAll` ingests every file. Known values:
    `FailAfterOne`, `FailAfterAll`. """
    on_asset_overwritten: str
    """ What happens to annotations of an overwritten asset (as answered). Known values: `RemoveLinkedResource`,
    `KeepLinkedResources`. """
    assets: list[UploadedAssetMetadata] | Unset = UNSET
    """ The files. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        failure_mode = self.failure_mode

        on_asset_overwritten = self.on_asset_overwritten

        assets: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.assets, Unset):
            assets = []
            for assets_item_data in self.assets:
                assets_item = assets_item_data.to_dict()
                assets.append(assets_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "failureMode": failure_mode,
                "onAssetOverwritten": on_asset_overwritten,
            }
        )
        if assets is not UNSET:
            field_dict["assets"] = assets

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.uploaded_asset_metadata import UploadedAssetMetadata  # noqa: PLC0415

        d = dict(src_dict)
        kind = d.pop("kind")

        failure_mode = d.pop("failureMode")

        on_asset_overwritten = d.pop("onAssetOverwritten")

        _assets = d.pop("assets", UNSET)
        assets: list[UploadedAssetMetadata] | Unset = UNSET
        if _assets is not UNSET:
            assets = []
            for assets_item_data in _assets:
                assets_item = UploadedAssetMetadata.from_dict(assets_item_data)

                assets.append(assets_item)

        asset_ingestion_session_spec = cls(
            kind=kind,
            failure_mode=failure_mode,
            on_asset_overwritten=on_asset_overwritten,
            assets=assets,
        )

        asset_ingestion_session_spec.additional_properties = d
        return asset_ingestion_session_spec

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
