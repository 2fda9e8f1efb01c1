from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

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

    asset: SignedRequest | Unset = UNSET
    """ A signed URL and how to call it. """
    thumbnail: SignedRequest | Unset = UNSET
    """ A signed URL and how to call it. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        asset: dict[str, Any] | Unset = UNSET
        if not isinstance(self.asset, Unset):
            asset = self.asset.to_dict()

        thumbnail: dict[str, Any] | Unset = UNSET
        if not isinstance(self.thumbnail, Unset):
            thumbnail = self.thumbnail.to_dict()

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
        _asset = d.pop("asset", UNSET)
        asset: SignedRequest | Unset
        if isinstance(_asset, Unset):
            asset = UNSET
        else:
            asset = SignedRequest.from_dict(_asset)

        _thumbnail = d.pop("thumbnail", UNSET)
        thumbnail: SignedRequest | Unset
        if isinstance(_thumbnail, Unset):
            thumbnail = UNSET
        else:
            thumbnail = SignedRequest.from_dict(_thumbnail)

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
