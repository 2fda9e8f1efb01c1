from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

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
    assets: list[UploadedAssetMetadata] | None | Unset = UNSET
    """ The files (may be null). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        failure_mode = self.failure_mode

        on_asset_overwritten = self.on_asset_overwritten

        assets: list[dict[str, Any]] | None | Unset
        if isinstance(self.assets, Unset):
            assets = UNSET
        elif isinstance(self.assets, list):
            assets = []
            for assets_type_0_item_data in self.assets:
                assets_type_0_item = assets_type_0_item_data.to_dict()
                assets.append(assets_type_0_item)

        else:
            assets = self.assets

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

        def _parse_assets(data: object) -> list[UploadedAssetMetadata] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                assets_type_0 = []
                _assets_type_0 = data
                for assets_type_0_item_data in _assets_type_0:
                    assets_type_0_item = UploadedAssetMetadata.from_dict(assets_type_0_item_data)

                    assets_type_0.append(assets_type_0_item)

                return assets_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[UploadedAssetMetadata] | None | Unset, data)

        assets = _parse_assets(d.pop("assets", UNSET))

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
