"""The boundary: generated models in, public vi_ext types out (nothing generated leaks)."""

from __future__ import annotations

from typing import Any, TypeVar

from vi_ext import models as m
from vi_ext._generated import models as g
from vi_ext._generated.types import Unset
from vi_ext.enums import AssetIngestionError, ConditionStatus, FailureMode, ResourceRetentionMode, known
from vi_ext.wire import short_dataset_id

T = TypeVar("T")


def opt(value: T | Unset | None) -> T | None:
    """``None`` for an unset (absent) or null field."""
    return None if isinstance(value, Unset) else value


def page_items(envelope: dict[str, Any]) -> list[Any]:
    """The ``items`` of a listing envelope; absent (or null) means an empty page."""
    items = envelope.get("items")
    return [] if items is None else list(items)


def next_page(envelope: dict[str, Any]) -> str | None:
    """The ``nextPage`` token of a listing envelope; absent, null or empty means the last page."""
    token = envelope.get("nextPage")
    return token if isinstance(token, str) and token else None


def resource_metadata(src: g.ResourceMetadata) -> m.ResourceMetadata:
    """ResourceMetadata."""
    return m.ResourceMetadata(
        src.time_created, src.last_updated, src.generation, dict(src.attributes.additional_properties)
    )


def condition(src: g.ResourceCondition) -> m.ResourceCondition:
    """ResourceCondition."""
    return m.ResourceCondition(
        src.condition, known(ConditionStatus, src.status), src.last_transition_time, opt(src.reason), opt(src.message)
    )


def string_map(src: g.StringMap | Unset | None) -> dict[str, str] | None:
    """A string map as a plain dict; ``None`` when absent or null."""
    got = opt(src)
    return None if got is None else dict(got.additional_properties)


def contents(src: g.SignedRequest) -> m.Contents:
    """Contents (a signed request); null ``headers``/``method`` mean none/the default."""
    return m.Contents(src.url, src.expiry, string_map(src.headers), opt(src.method))


def custom_metadata(src: g.AssetCustomMetadata | Unset | None) -> m.CustomMetadata | None:
    """Custom metadata as a plain dict."""
    return None if src is None or isinstance(src, Unset) else dict(src.additional_properties)


def asset(src: g.Asset, organization_id: str) -> m.Asset:
    """Asset."""
    md = src.metadata
    metadata = m.AssetMetadata(
        width=md.width,
        height=md.height,
        file_size=md.file_size,
        mime_type=md.mime_type,
        upload_status=md.upload_status,
        status=md.status,
        frames=md.frames,
        visibility=md.visibility,
        generations=m.AssetGenerations(md.generations.asset, md.generations.thumbnail),
        annotations=m.AssetAnnotations(dict(md.annotations.with_tag.additional_properties), md.annotations.total),
        dimensions=m.AssetDimensions(md.dimensions.height, md.dimensions.width, opt(md.dimensions.depth)),
        pixel_ratio=m.AssetPixelRatio(md.pixel_ratio.height, md.pixel_ratio.width, opt(md.pixel_ratio.depth)),
        hash=m.AssetHash(md.hash_.algorithm, md.hash_.contents),
        inserted_by=md.inserted_by,
        cohorts=list(md.cohorts),
        user_defined=dict(md.user_defined.additional_properties),
        custom_metadata=custom_metadata(md.custom_metadata) or {},
        comments=md.comments,
        time_created=md.time_created,
        last_updated=md.last_updated,
        source=md.source,
        custom_metadata_count=md.custom_metadata_count,
        contents_from=md.contents_from,
        frames_change=dict(md.frames_change.additional_properties),
        contents_last_updated=md.contents_last_updated,
    )
    got = opt(src.contents)
    asset_contents = None
    if got is not None:
        a, t = opt(got.asset), opt(got.thumbnail)
        asset_contents = m.AssetContents(None if a is None else contents(a), None if t is None else contents(t))
    return m.Asset(
        asset_id=src.asset_id,
        dataset_id=short_dataset_id(src.dataset_id, organization_id),
        organization_id=src.workspace_id,
        filename=src.filename,
        kind=src.kind,
        owner=src.owner,
        metadata=metadata,
        self_link=src.self_link,
        etag=src.etag,
        contents=asset_contents,
    )


def uploaded(src: g.UploadedAssetMetadata) -> m.UploadedAssetMetadata:
    """UploadedAssetMetadata."""
    return m.UploadedAssetMetadata(
        src.kind, src.filename, src.mime, src.size, opt(src.crc32c), custom_metadata(src.custom_metadata)
    )


def event(src: Any) -> m.AssetIngestionEvent:
    """One ingestion event; unknown kinds are kept."""
    if isinstance(src, g.AssetIngestionErrorEvent):
        files = {k: known(AssetIngestionError, v) for k, v in src.files.additional_properties.items()}
        return m.AssetIngestionEventError(files, dict(src.corrections.additional_properties), src.time)
    if isinstance(src, g.AssetIngestionProgressEvent):
        tasks = {k: dict(v.additional_properties) for k, v in src.tasks.additional_properties.items()}
        return m.AssetIngestionEventProgress(tasks)
    raw = src.to_dict()
    return m.AssetIngestionEventUnknown(str(raw.get("kind", "")), raw)


def session(src: g.AssetIngestionSession, organization_id: str) -> m.AssetIngestionSession:
    """AssetIngestionSession."""
    spec_assets = opt(src.spec.assets)
    status_assets = opt(src.status.assets)
    pc = src.status.progress_count
    return m.AssetIngestionSession(
        organization_id=src.workspace_id,
        dataset_id=short_dataset_id(src.dataset_id, organization_id),
        asset_ingestion_session_id=src.asset_ingestion_session_id,
        asset_source_class=src.asset_source_class,
        asset_source_provider=src.asset_source_provider,
        asset_source_id=src.asset_source_id,
        ingestion_id=src.ingestion_id,
        self_link=src.self_link,
        etag=src.etag,
        metadata=resource_metadata(src.metadata),
        spec=m.AssetIngestionSessionSpec(
            src.spec.kind,
            known(FailureMode, src.spec.failure_mode),
            known(ResourceRetentionMode, src.spec.on_asset_overwritten),
            None if spec_assets is None else [uploaded(a) for a in spec_assets],
        ),
        status=m.AssetIngestionSessionStatus(
            [condition(c) for c in src.status.conditions],
            [event(e) for e in src.status.events],
            m.AssetIngestionProgressCount(pc.total, pc.succeeded, pc.errored),
            None
            if status_assets is None
            else [m.AssetForUpload(uploaded(a.metadata), contents(a.upload)) for a in status_assets],
        ),
    )


def dataset(src: g.Dataset, organization_id: str) -> m.Dataset:
    """Dataset."""
    st = src.statistic
    return m.Dataset(
        dataset_id=short_dataset_id(src.dataset_id, organization_id),
        organization_id=src.workspace_id,
        name=src.name,
        owner=src.owner,
        type=src.type_,
        content=src.content,
        create_date=src.create_date,
        statistic=m.DatasetStatistic(
            st.asset_total, st.annotation_total, st.asset_annotated, dict(st.tags_count.additional_properties)
        ),
        self_link=src.self_link,
        etag=src.etag,
        description=opt(src.description) or "",
        tag_details=tag_details(src.tag_details),
        delete_op=opt(src.delete_op),
    )


def tag_details(src: g.DatasetTagDetailsType0 | Unset | None) -> dict[str, m.TagDetail]:
    """Tag display details by tag name (empty when absent or null)."""
    got = opt(src)
    if got is None:
        return {}
    return {name: m.TagDetail(opt(d.description), opt(d.color)) for name, d in got.additional_properties.items()}


def bulk_delete(src: g.DeleteManyAssetsSession, organization_id: str) -> m.BulkDeleteSession:
    """BulkDeleteSession."""
    return m.BulkDeleteSession(
        src.delete_many_assets_session_id,
        short_dataset_id(src.dataset_id, organization_id),
        src.workspace_id,
        [condition(c) for c in src.status.conditions],
        resource_metadata(src.metadata),
    )


def dataset_deletion(src: g.DatasetDeleteOperation, organization_id: str) -> m.DatasetDeletion:
    """DatasetDeletion."""
    return m.DatasetDeletion(
        short_dataset_id(src.dataset_id, organization_id),
        src.workspace_id,
        src.user,
        [condition(c) for c in src.status.conditions],
        resource_metadata(src.metadata),
    )
