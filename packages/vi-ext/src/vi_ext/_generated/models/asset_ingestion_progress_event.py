from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.asset_ingestion_progress_event_tasks import AssetIngestionProgressEventTasks


T = TypeVar("T", bound="AssetIngestionProgressEvent")


@_attrs_define
class AssetIngestionProgressEvent:
    """Progress of the session's tasks.

    Example:
        {'kind': 'Progress', 'tasks': {'ingest': {'done': 2, 'total': 3}}}

    """

    kind: Literal["Progress"]
    """ Event tag. """
    tasks: AssetIngestionProgressEventTasks
    """ Counters by task name. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        tasks = self.tasks.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "tasks": tasks,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.asset_ingestion_progress_event_tasks import AssetIngestionProgressEventTasks  # noqa: PLC0415

        d = dict(src_dict)
        kind = cast(Literal["Progress"], d.pop("kind"))
        if kind != "Progress":
            raise ValueError(f"kind must match const 'Progress', got '{kind}'")

        tasks = AssetIngestionProgressEventTasks.from_dict(d.pop("tasks"))

        asset_ingestion_progress_event = cls(
            kind=kind,
            tasks=tasks,
        )

        asset_ingestion_progress_event.additional_properties = d
        return asset_ingestion_progress_event

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
