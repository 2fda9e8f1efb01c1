from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.asset_for_upload import AssetForUpload
    from ..models.asset_ingestion_error_event import AssetIngestionErrorEvent
    from ..models.asset_ingestion_progress_count import AssetIngestionProgressCount
    from ..models.asset_ingestion_progress_event import AssetIngestionProgressEvent
    from ..models.asset_ingestion_unknown_event import AssetIngestionUnknownEvent
    from ..models.resource_condition import ResourceCondition


T = TypeVar("T", bound="AssetIngestionSessionStatus")


@_attrs_define
class AssetIngestionSessionStatus:
    """Where the session is.

    Example:
        {'conditions': [{'condition': 'Finished', 'status': 'Reached', 'lastTransitionTime': 1732406405000},
            {'condition': 'Started', 'status': 'Reached', 'lastTransitionTime': 1732406400000}], 'events': [{'kind':
            'Error', 'files': {'train/cat/002.jpg': 'ECORRUPT'}, 'corrections': {}, 'time': 1732406405000}],
            'progressCount': {'total': 3, 'succeeded': 2, 'errored': 1}}

    """

    conditions: list[ResourceCondition]
    """ Conditions, newest first. """
    events: list[
        AssetIngestionErrorEvent | AssetIngestionProgressEvent | AssetIngestionUnknownEvent
    ]
    """ Events. """
    progress_count: AssetIngestionProgressCount
    """ How many files are done. """
    assets: list[AssetForUpload] | None | Unset = UNSET
    """ One signed upload per file (on the creation answer; may be absent or null later). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.asset_ingestion_error_event import AssetIngestionErrorEvent  # noqa: PLC0415
        from ..models.asset_ingestion_progress_event import AssetIngestionProgressEvent  # noqa: PLC0415

        conditions = []
        for conditions_item_data in self.conditions:
            conditions_item = conditions_item_data.to_dict()
            conditions.append(conditions_item)

        events = []
        for events_item_data in self.events:
            events_item: dict[str, Any]
            if isinstance(events_item_data, AssetIngestionErrorEvent):
                events_item = events_item_data.to_dict()
            elif isinstance(events_item_data, AssetIngestionProgressEvent):
                events_item = events_item_data.to_dict()
            else:
                events_item = events_item_data.to_dict()

            events.append(events_item)

        progress_count = self.progress_count.to_dict()

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
                "conditions": conditions,
                "events": events,
                "progressCount": progress_count,
            }
        )
        if assets is not UNSET:
            field_dict["assets"] = assets

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.asset_for_upload import AssetForUpload  # noqa: PLC0415
        from ..models.asset_ingestion_error_event import AssetIngestionErrorEvent  # noqa: PLC0415
        from ..models.asset_ingestion_progress_count import AssetIngestionProgressCount  # noqa: PLC0415
        from ..models.asset_ingestion_progress_event import AssetIngestionProgressEvent  # noqa: PLC0415
        from ..models.asset_ingestion_unknown_event import AssetIngestionUnknownEvent  # noqa: PLC0415
        from ..models.resource_condition import ResourceCondition  # noqa: PLC0415

        d = dict(src_dict)
        conditions = []
        _conditions = d.pop("conditions")
        for conditions_item_data in _conditions:
            conditions_item = ResourceCondition.from_dict(conditions_item_data)

            conditions.append(conditions_item)

        events = []
        _events = d.pop("events")
        for events_item_data in _events:

            def _parse_events_item(
                data: object,
            ) -> (
                AssetIngestionErrorEvent | AssetIngestionProgressEvent | AssetIngestionUnknownEvent
            ):
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_asset_ingestion_event_type_0 = (
                        AssetIngestionErrorEvent.from_dict(data)
                    )

                    return componentsschemas_asset_ingestion_event_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_asset_ingestion_event_type_1 = (
                        AssetIngestionProgressEvent.from_dict(data)
                    )

                    return componentsschemas_asset_ingestion_event_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_asset_ingestion_event_type_2 = (
                    AssetIngestionUnknownEvent.from_dict(data)
                )

                return componentsschemas_asset_ingestion_event_type_2

            events_item = _parse_events_item(events_item_data)

            events.append(events_item)

        progress_count = AssetIngestionProgressCount.from_dict(d.pop("progressCount"))

        def _parse_assets(data: object) -> list[AssetForUpload] | None | Unset:
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
                    assets_type_0_item = AssetForUpload.from_dict(assets_type_0_item_data)

                    assets_type_0.append(assets_type_0_item)

                return assets_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[AssetForUpload] | None | Unset, data)

        assets = _parse_assets(d.pop("assets", UNSET))

        asset_ingestion_session_status = cls(
            conditions=conditions,
            events=events,
            progress_count=progress_count,
            assets=assets,
        )

        asset_ingestion_session_status.additional_properties = d
        return asset_ingestion_session_status

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
