"""Public response types, with the attribute names the Vi docs use.

They are plain frozen dataclasses built from the generated models at the boundary
(`vi_ext.convert`); nothing generated, no ``Unset`` and no ``Response[T]`` leaks out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vi_ext.enums import AssetIngestionError, ConditionStatus, FailureMode, ResourceRetentionMode

CustomMetadata = dict[str, str | int | float | bool]


@dataclass(frozen=True)
class ResourceMetadata:
    """Bookkeeping of a resource (times in milliseconds)."""

    time_created: int
    last_updated: int
    generation: int
    attributes: dict[str, str]


@dataclass(frozen=True)
class ResourceCondition:
    """One condition of a long-running resource."""

    condition: str
    status: ConditionStatus | str
    last_transition_time: int
    reason: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class Contents:
    """A signed URL and how to call it."""

    url: str
    expiry: int
    headers: dict[str, str] | None = None
    method: str | None = None


@dataclass(frozen=True)
class AssetContents:
    """Signed download URLs of an asset."""

    asset: Contents | None = None
    thumbnail: Contents | None = None


@dataclass(frozen=True)
class AssetGenerations:
    """Generations of the asset and its thumbnail."""

    asset: str
    thumbnail: str


@dataclass(frozen=True)
class AssetAnnotations:
    """Annotation counts."""

    with_tag: dict[str, int]
    total: int


@dataclass(frozen=True)
class AssetDimensions:
    """Size in pixels."""

    height: int
    width: int
    depth: int | None = None


@dataclass(frozen=True)
class AssetPixelRatio:
    """Pixel aspect ratio."""

    height: int
    width: int
    depth: int | None = None


@dataclass(frozen=True)
class AssetHash:
    """Content hash."""

    algorithm: str
    contents: str


@dataclass(frozen=True)
class AssetMetadata:
    """Everything the server knows about an asset."""

    width: int
    height: int
    file_size: int
    mime_type: str
    upload_status: str
    status: str
    frames: int
    visibility: str
    generations: AssetGenerations
    annotations: AssetAnnotations
    dimensions: AssetDimensions
    pixel_ratio: AssetPixelRatio
    hash: AssetHash
    inserted_by: str
    cohorts: list[str]
    user_defined: dict[str, Any]
    custom_metadata: CustomMetadata
    comments: int
    time_created: int
    last_updated: int
    source: str = ""
    custom_metadata_count: int = 0
    contents_from: str = ""
    frames_change: dict[str, int] = field(default_factory=dict)
    contents_last_updated: int = 0


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class Asset:
    """An asset; ``dataset_id`` is the short id (the ``{org}_`` prefix stripped)."""

    asset_id: str
    dataset_id: str
    organization_id: str
    filename: str
    kind: str
    owner: str
    metadata: AssetMetadata
    self_link: str
    etag: str
    contents: AssetContents | None = None

    def info(self) -> None:
        """Print a formatted summary of the asset."""
        print(self.describe())

    def describe(self) -> str:
        """The summary `info` prints.

        Returns:
            Several lines: id, filename, dataset, kind, size, status, hash, annotations, times, metadata.
        """
        m = self.metadata
        lines = [
            f"Asset {self.asset_id}",
            f"  filename:    {self.filename}",
            f"  dataset:     {self.dataset_id}",
            f"  kind:        {self.kind} ({m.mime_type})",
            f"  size:        {m.width}x{m.height}, {m.frames} frame(s), {m.file_size:,} bytes",
            f"  status:      {m.status} / upload {m.upload_status}",
            f"  hash:        {m.hash.algorithm}:{m.hash.contents}",
            f"  annotations: {m.annotations.total}",
            f"  created:     {_when(m.time_created)}",
            f"  updated:     {_when(m.last_updated)}",
        ]
        if m.custom_metadata:
            lines.append(f"  metadata:    {m.custom_metadata}")
        return "\n".join(lines)


@dataclass(frozen=True)
class UploadedAssetMetadata:
    """A file of an ingestion session."""

    kind: str
    filename: str
    mime: str
    size: int
    crc32c: int | None = None
    custom_metadata: CustomMetadata | None = None


@dataclass(frozen=True)
class AssetForUpload:
    """A file of a session and its signed upload."""

    metadata: UploadedAssetMetadata
    upload: Contents


@dataclass(frozen=True)
class AssetIngestionEventError:
    """Files that failed, by filename, with their codes (unknown codes kept as strings)."""

    files: dict[str, AssetIngestionError | str]
    corrections: dict[str, str]
    time: int
    kind: str = "Error"


@dataclass(frozen=True)
class AssetIngestionEventProgress:
    """Progress counters by task."""

    tasks: dict[str, dict[str, int]]
    kind: str = "Progress"


@dataclass(frozen=True)
class AssetIngestionEventUnknown:
    """An event kind this client does not know yet (kept, never an error)."""

    kind: str
    raw: dict[str, Any]


AssetIngestionEvent = AssetIngestionEventError | AssetIngestionEventProgress | AssetIngestionEventUnknown


@dataclass(frozen=True)
class AssetIngestionProgressCount:
    """How many files are done."""

    total: int
    succeeded: int
    errored: int


@dataclass(frozen=True)
class AssetIngestionSessionSpec:
    """What the session ingests and how (camelCase names as in the docs)."""

    kind: str
    failureMode: FailureMode | str
    onAssetOverwritten: ResourceRetentionMode | str
    assets: list[UploadedAssetMetadata] | None = None

    @property
    def failure_mode(self) -> FailureMode | str:
        """Snake-case alias of ``failureMode``."""
        return self.failureMode

    @property
    def on_asset_overwritten(self) -> ResourceRetentionMode | str:
        """Snake-case alias of ``onAssetOverwritten``."""
        return self.onAssetOverwritten


@dataclass(frozen=True)
class AssetIngestionSessionStatus:
    """Where the session is (camelCase ``progressCount`` as in the docs)."""

    conditions: list[ResourceCondition]
    events: list[AssetIngestionEvent]
    progressCount: AssetIngestionProgressCount
    assets: list[AssetForUpload] | None = None

    @property
    def progress_count(self) -> AssetIngestionProgressCount:
        """Snake-case alias of ``progressCount``."""
        return self.progressCount

    def errors(self) -> dict[str, str]:
        """Error code by filename, from every Error event.

        Returns:
            ``{filename: code}`` (e.g. ``ECORRUPT``).
        """
        out: dict[str, str] = {}
        for event in self.events:
            if isinstance(event, AssetIngestionEventError):
                out.update({name: str(getattr(code, "value", code)) for name, code in event.files.items()})
        return out

    def corrections(self) -> dict[str, str]:
        """The server's explanation by filename, from every Error event.

        Returns:
            ``{filename: explanation}``.
        """
        out: dict[str, str] = {}
        for event in self.events:
            if isinstance(event, AssetIngestionEventError):
                out.update(event.corrections)
        return out


@dataclass(frozen=True)
class AssetIngestionSession:
    """An ingestion session (one batch of an upload)."""

    organization_id: str
    dataset_id: str
    asset_ingestion_session_id: str
    asset_source_class: str
    asset_source_provider: str
    asset_source_id: str
    ingestion_id: str
    self_link: str
    etag: str
    metadata: ResourceMetadata
    spec: AssetIngestionSessionSpec
    status: AssetIngestionSessionStatus

    @property
    def is_finished(self) -> bool:
        """Whether the ``Finished`` condition is reached (or failed)."""
        return any(
            c.condition == "Finished" and c.status in (ConditionStatus.REACHED, ConditionStatus.FAILED_REACH)
            for c in self.status.conditions
        )

    @property
    def has_failed(self) -> bool:
        """Whether any condition is ``FailedReach`` (the session itself failed)."""
        return any(c.status == ConditionStatus.FAILED_REACH for c in self.status.conditions)


@dataclass(frozen=True)
class DatasetStatistic:
    """Counts of a dataset."""

    asset_total: int
    annotation_total: int
    asset_annotated: int
    tags_count: dict[str, int]


@dataclass(frozen=True)
class TagDetail:
    """Display details of a tag (either may be missing)."""

    description: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class Dataset:
    """A dataset; ``dataset_id`` is the short id; ``delete_op`` names a delete under way (else ``None``)."""

    dataset_id: str
    organization_id: str
    name: str
    owner: str
    type: str
    content: str
    create_date: int
    statistic: DatasetStatistic
    self_link: str
    etag: str
    description: str = ""
    tag_details: dict[str, TagDetail] = field(default_factory=dict)
    delete_op: str | None = None


@dataclass(frozen=True)
class DeletedAsset:
    """What `assets.delete` returns."""

    asset_id: str
    deleted: bool = True


@dataclass(frozen=True)
class BulkDeleteSession:
    """A bulk-delete session."""

    delete_many_assets_session_id: str
    dataset_id: str
    organization_id: str
    conditions: list[ResourceCondition]
    metadata: ResourceMetadata

    @property
    def is_finished(self) -> bool:
        """Whether every condition is reached and there is at least one."""
        return bool(self.conditions) and all(c.status == ConditionStatus.REACHED for c in self.conditions)

    @property
    def has_failed(self) -> bool:
        """Whether any condition failed."""
        return any(c.status == ConditionStatus.FAILED_REACH for c in self.conditions)


@dataclass(frozen=True)
class DatasetDeletion:
    """The deletion of a dataset (what `datasets.delete` and `datasets.get_deletion_operation` return)."""

    dataset_id: str
    organization_id: str
    user: str
    conditions: list[ResourceCondition]
    metadata: ResourceMetadata

    @property
    def is_finished(self) -> bool:
        """Whether the ``Finished`` condition is reached (or failed)."""
        return any(
            c.condition == "Finished" and c.status in (ConditionStatus.REACHED, ConditionStatus.FAILED_REACH)
            for c in self.conditions
        )

    @property
    def has_failed(self) -> bool:
        """Whether any condition failed."""
        return any(c.status == ConditionStatus.FAILED_REACH for c in self.conditions)
