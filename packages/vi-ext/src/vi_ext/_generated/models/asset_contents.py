from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.signed_request import SignedRequest


T = TypeVar("T", bound="AssetContents")


@_attrs_define
class AssetContents:
    """Signed download URLs (present when `contents=y`).

    Example:
        {'asset': {'url': 'https://storage.example.com/objects/a1/asset/cat.jpg?expires=1732410000&signature=ab',
            'expiry': 1732410000000, 'method': 'GET'}}

    """

    asset: None | SignedRequest | Unset = UNSET
    """ The full-size asset (may be null). """
    thumbnail: None | SignedRequest | Unset = UNSET
    """ The thumbnail (may be null). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.signed_request import SignedRequest  # noqa: PLC0415

        asset: dict[str, Any] | None | Unset
        if isinstance(self.asset, Unset):
            asset = UNSET
        elif isinstance(self.asset, SignedRequest):
            asset = self.asset.to_dict()
        else:
            asset = self.asset

        thumbnail: dict[str, Any] | None | Unset
        if isinstance(self.thumbnail, Unset):
            thumbnail = UNSET
        elif isinstance(self.thumbnail, SignedRequest):
            thumbnail = self.thumbnail.to_dict()
        else:
            thumbnail = self.thumbnail

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if asset is not UNSET:
            field_dict["asset"] = asset
        if thumbnail is not UNSET:
            field_dict["thumbnail"] = thumbnail

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.signed_request import SignedRequest  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_asset(data: object) -> None | SignedRequest | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                asset_type_0 = SignedRequest.from_dict(data)

                return asset_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SignedRequest | Unset, data)

        asset = _parse_asset(d.pop("asset", UNSET))

        def _parse_thumbnail(data: object) -> None | SignedRequest | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                thumbnail_type_0 = SignedRequest.from_dict(data)

                return thumbnail_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SignedRequest | Unset, data)

        thumbnail = _parse_thumbnail(d.pop("thumbnail", UNSET))

        asset_contents = cls(
            asset=asset,
            thumbnail=thumbnail,
        )

        asset_contents.additional_properties = d
        return asset_contents

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
