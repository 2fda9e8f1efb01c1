from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.asset_annotations import AssetAnnotations
    from ..models.asset_custom_metadata import AssetCustomMetadata
    from ..models.asset_dimensions import AssetDimensions
    from ..models.asset_generations import AssetGenerations
    from ..models.asset_hash import AssetHash
    from ..models.asset_metadata_user_defined import AssetMetadataUserDefined
    from ..models.asset_pixel_ratio import AssetPixelRatio
    from ..models.count_map import CountMap


T = TypeVar("T", bound="AssetMetadata")


@_attrs_define
class AssetMetadata:
    """Everything the server knows about an asset (all 25 keys are always present).

    Example:
        {'generations': {'asset': '1732406405000', 'thumbnail': '1732406405000'}, 'insertedBy':
            '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', 'annotations': {'withTag': {}, 'total': 0}, 'frames': 1, 'cohorts': [],
            'fileSize': 31337, 'height': 480, 'width': 640, 'mimeType': 'image/jpeg', 'source': 'upload', 'status':
            'active', 'uploadStatus': 'uploaded', 'visibility': 'visible', 'userDefined': {}, 'customMetadata': {'scene':
            'outdoor'}, 'dimensions': {'height': 480, 'width': 640}, 'pixelRatio': {'height': 1, 'width': 1}, 'comments': 0,
            'customMetadataCount': 1, 'hash': {'algorithm': 'sha256', 'contents':
            '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'}, 'contentsFrom': 'managed', 'framesChange':
            {}, 'timeCreated': 1732406400000, 'lastUpdated': 1732406405000, 'contentsLastUpdated': 1732406405000}

    """

    generations: AssetGenerations
    """ Generation ids of the asset and its thumbnail. """
    inserted_by: str
    """ Who uploaded it. """
    annotations: AssetAnnotations
    """ Annotation counts. """
    frames: int
    """ Number of frames (1 for still images). """
    cohorts: list[str]
    """ Cohort ids. """
    file_size: int
    """ Size in bytes. """
    height: int
    """ Height in pixels. """
    width: int
    """ Width in pixels. """
    mime_type: str
    """ MIME type found in the content. """
    source: str
    """ Where the asset came from. """
    status: str
    """ Processing status, e.g. `active`, `error`. """
    upload_status: str
    """ Upload status, e.g. `uploaded`. """
    visibility: str
    """ Visibility, e.g. `visible`. """
    user_defined: AssetMetadataUserDefined
    """ User-defined values. """
    custom_metadata: AssetCustomMetadata
    """ Custom metadata with string keys and primitive values. """
    dimensions: AssetDimensions
    """ Size in pixels (depth for volumes). """
    pixel_ratio: AssetPixelRatio
    """ Pixel aspect ratio. """
    comments: int
    """ Number of comments. """
    custom_metadata_count: int
    """ Number of custom metadata keys. """
    hash_: AssetHash
    """ Content hash. """
    contents_from: str
    """ Where the contents are stored. """
    frames_change: CountMap
    """ A map of counts. """
    time_created: int
    """ Milliseconds since the Unix epoch. """
    last_updated: int
    """ Milliseconds since the Unix epoch. """
    contents_last_updated: int
    """ Milliseconds since the Unix epoch. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        generations = self.generations.to_dict()

        inserted_by = self.inserted_by

        annotations = self.annotations.to_dict()

        frames = self.frames

        cohorts = self.cohorts

        file_size = self.file_size

        height = self.height

        width = self.width

        mime_type = self.mime_type

        source = self.source

        status = self.status

        upload_status = self.upload_status

        visibility = self.visibility

        user_defined = self.user_defined.to_dict()

        custom_metadata = self.custom_metadata.to_dict()

        dimensions = self.dimensions.to_dict()

        pixel_ratio = self.pixel_ratio.to_dict()

        comments = self.comments

        custom_metadata_count = self.custom_metadata_count

        hash_ = self.hash_.to_dict()

        contents_from = self.contents_from

        frames_change = self.frames_change.to_dict()

        time_created = self.time_created

        last_updated = self.last_updated

        contents_last_updated = self.contents_last_updated

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "generations": generations,
                "insertedBy": inserted_by,
                "annotations": annotations,
                "frames": frames,
                "cohorts": cohorts,
                "fileSize": file_size,
                "height": height,
                "width": width,
                "mimeType": mime_type,
                "source": source,
                "status": status,
                "uploadStatus": upload_status,
                "visibility": visibility,
                "userDefined": user_defined,
                "customMetadata": custom_metadata,
                "dimensions": dimensions,
                "pixelRatio": pixel_ratio,
                "comments": comments,
                "customMetadataCount": custom_metadata_count,
                "hash": hash_,
                "contentsFrom": contents_from,
                "framesChange": frames_change,
                "timeCreated": time_created,
                "lastUpdated": last_updated,
                "contentsLastUpdated": contents_last_updated,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.asset_annotations import AssetAnnotations  # noqa: PLC0415
        from ..models.asset_custom_metadata import AssetCustomMetadata  # noqa: PLC0415
        from ..models.asset_dimensions import AssetDimensions  # noqa: PLC0415
        from ..models.asset_generations import AssetGenerations  # noqa: PLC0415
        from ..models.asset_hash import AssetHash  # noqa: PLC0415
        from ..models.asset_metadata_user_defined import AssetMetadataUserDefined  # noqa: PLC0415
        from ..models.asset_pixel_ratio import AssetPixelRatio  # noqa: PLC0415
        from ..models.count_map import CountMap  # noqa: PLC0415

        d = dict(src_dict)
        generations = AssetGenerations.from_dict(d.pop("generations"))

        inserted_by = d.pop("insertedBy")

        annotations = AssetAnnotations.from_dict(d.pop("annotations"))

        frames = d.pop("frames")

        cohorts = cast(list[str], d.pop("cohorts"))

        file_size = d.pop("fileSize")

        height = d.pop("height")

        width = d.pop("width")

        mime_type = d.pop("mimeType")

        source = d.pop("source")

        status = d.pop("status")

        upload_status = d.pop("uploadStatus")

        visibility = d.pop("visibility")

        user_defined = AssetMetadataUserDefined.from_dict(d.pop("userDefined"))

        custom_metadata = AssetCustomMetadata.from_dict(d.pop("customMetadata"))

        dimensions = AssetDimensions.from_dict(d.pop("dimensions"))

        pixel_ratio = AssetPixelRatio.from_dict(d.pop("pixelRatio"))

        comments = d.pop("comments")

        custom_metadata_count = d.pop("customMetadataCount")

        hash_ = AssetHash.from_dict(d.pop("hash"))

        contents_from = d.pop("contentsFrom")

        frames_change = CountMap.from_dict(d.pop("framesChange"))

        time_created = d.pop("timeCreated")

        last_updated = d.pop("lastUpdated")

        contents_last_updated = d.pop("contentsLastUpdated")

        asset_metadata = cls(
            generations=generations,
            inserted_by=inserted_by,
            annotations=annotations,
            frames=frames,
            cohorts=cohorts,
            file_size=file_size,
            height=height,
            width=width,
            mime_type=mime_type,
            source=source,
            status=status,
            upload_status=upload_status,
            visibility=visibility,
            user_defined=user_defined,
            custom_metadata=custom_metadata,
            dimensions=dimensions,
            pixel_ratio=pixel_ratio,
            comments=comments,
            custom_metadata_count=custom_metadata_count,
            hash_=hash_,
            contents_from=contents_from,
            frames_change=frames_change,
            time_created=time_created,
            last_updated=last_updated,
            contents_last_updated=contents_last_updated,
        )

        asset_metadata.additional_properties = d
        return asset_metadata

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
