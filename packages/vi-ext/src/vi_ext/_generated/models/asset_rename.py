from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="AssetRename")


@_attrs_define
class AssetRename:
    """Body of `renameAsset`: the new filename (the key `name` is refused).

    Example:
        {'filename': 'train/cat/0001.jpg'}

    """

    filename: str
    """ An asset filename as a client sends it: `/`-separated segments (`train/cat/001.jpg`), none
    of them empty, `.` or `..`; no leading `/`, no backslash, no NUL.
     """

    def to_dict(self) -> dict[str, Any]:
        filename = self.filename

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "filename": filename,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        filename = d.pop("filename")

        asset_rename = cls(
            filename=filename,
        )

        return asset_rename
