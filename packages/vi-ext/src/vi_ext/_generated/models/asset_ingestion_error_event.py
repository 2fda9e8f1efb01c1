from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.asset_ingestion_error_event_files import AssetIngestionErrorEventFiles
    from ..models.string_map import StringMap


T = TypeVar("T", bound="AssetIngestionErrorEvent")


@_attrs_define
class AssetIngestionErrorEvent:
    """Files that failed, with their codes.

    Example:
        {'kind': 'Error', 'files': {'train/cat/002.jpg': 'ECORRUPT'}, 'corrections': {'train/cat/002.jpg': 'image file
            is truncated'}, 'time': 1732406405000}

    """

    kind: Literal["Error"]
    """ Event tag. """
    files: AssetIngestionErrorEventFiles
    """ Error code by filename. """
    corrections: StringMap
    """ A map of strings. """
    time: int
    """ Milliseconds since the Unix epoch. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        files = self.files.to_dict()

        corrections = self.corrections.to_dict()

        time = self.time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "files": files,
                "corrections": corrections,
                "time": time,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.asset_ingestion_error_event_files import AssetIngestionErrorEventFiles  # noqa: PLC0415
        from ..models.string_map import StringMap  # noqa: PLC0415

        d = dict(src_dict)
        kind = cast(Literal["Error"], d.pop("kind"))
        if kind != "Error":
            raise ValueError(f"kind must match const 'Error', got '{kind}'")

        files = AssetIngestionErrorEventFiles.from_dict(d.pop("files"))

        corrections = StringMap.from_dict(d.pop("corrections"))

        time = d.pop("time")

        asset_ingestion_error_event = cls(
            kind=kind,
            files=files,
            corrections=corrections,
            time=time,
        )

        asset_ingestion_error_event.additional_properties = d
        return asset_ingestion_error_event

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
