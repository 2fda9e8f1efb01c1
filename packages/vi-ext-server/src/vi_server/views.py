"""JSON shapes of the resources, exactly as `openapi.yaml` declares them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from vi_server.signing import quote_segment, sign_url
from vi_server.store import Row


def composite(org_id: str, dataset_id: str) -> str:
    """The dataset path segment ``{org}_{ds}``."""
    return f"{org_id}_{dataset_id}"


def dataset_link(org_id: str, dataset_id: str) -> str:
    """selfLink of a dataset."""
    return f"/workspaces/{org_id}/datasets/{composite(org_id, dataset_id)}"


def source_link(org_id: str, dataset_id: str, source: tuple[str, str, str]) -> str:
    """Link of an asset source."""
    return f"{dataset_link(org_id, dataset_id)}/assetSources/{'/'.join(source)}"


def resource_metadata(created: int, updated: int, generation: int) -> dict[str, Any]:
    """ResourceMetadata."""
    return {
        "timeCreated": created,
        "lastUpdated": updated,
        "generation": generation,
        "attributes": {},
    }


def condition(name: str, status: str, when: int, reason: str = "", message: str = "") -> dict[str, Any]:
    """ResourceCondition."""
    out: dict[str, Any] = {"condition": name, "status": status, "lastTransitionTime": when}
    if reason:
        out["reason"] = reason
    if message:
        out["message"] = message
    return out


def dataset_view(row: Row, asset_total: int) -> dict[str, Any]:
    """Dataset."""
    org, ds = row["org_id"], row["dataset_id"]
    return {
        "kind": "Dataset",
        "datasetId": composite(org, ds),
        "name": row["name"],
        "owner": org,
        "workspaceId": org,
        "type": row["type"],
        "content": row["content"],
        "createDate": row["created"],
        "statistic": {
            "assetTotal": asset_total,
            "annotationTotal": 0,
            "tagsCount": {},
            "assetAnnotated": 0,
        },
        "users": {org: {"workspaceRole": "Owner", "datasets": {}}},
        "tags": json.loads(row["tags"]),
        "cohorts": [],
        "status": row["status"],
        "lastAccessed": row["created"],
        "isLocked": False,
        "access": {"isPublic": False, "isReadOnly": False, "isHidden": False},
        "preference": json.loads(row["preference"]) if "preference" in row.keys() else {},  # noqa: SIM118 (Row: `in` tests values)
        "assetStatuses": {},
        "selfLink": dataset_link(org, ds),
        "etag": f'W/"{row["generation"]}"',
        "localization": row["localization"],
        "dataLocalization": row["data_localization"],
        "description": row["description"],
    }


def basename(filename: str) -> str:
    """Last segment of an asset filename."""
    return filename.rsplit("/", 1)[-1]


def object_path(asset_id: str, variant: str, filename: str) -> str:
    """Storage path of an asset's bytes; the last segment is its base name."""
    return f"/storage/v1/objects/{asset_id}/{variant}/{quote_segment(basename(filename))}"


def signed_get(secret: bytes, base_url: str, path: str, ttl: int) -> dict[str, Any]:
    """A SignedRequest for a GET."""
    url, expiry = sign_url(secret, base_url, "GET", path, ttl)
    return {"url": url, "expiry": expiry, "headers": {}, "method": "GET"}


ContentsSigner = Callable[[Row, str], dict[str, Any]]


def server_signed(secret: bytes, base_url: str, ttl: int) -> ContentsSigner:
    """Download URLs signed by the server for its own storage route (the local blob store).

    Args:
        secret: The signing secret.
        base_url: The server's base URL.
        ttl: Seconds the URLs live.

    Returns:
        ``(asset row, variant) -> SignedRequest``.
    """

    def sign(row: Row, variant: str) -> dict[str, Any]:
        return signed_get(secret, base_url, object_path(row["asset_id"], variant, row["filename"]), ttl)

    return sign


def asset_view(row: Row, contents: ContentsSigner | None = None) -> dict[str, Any]:
    """Asset; ``contents`` signs the download URLs when they are wanted (``asset`` and ``thumbnail``)."""
    org, ds = row["org_id"], row["dataset_id"]
    custom = json.loads(row["custom_metadata"])
    annotations = json.loads(row["annotations"])
    generation = str(row["contents_updated"])
    out: dict[str, Any] = {
        "assetId": row["asset_id"],
        "datasetId": composite(org, ds),
        "workspaceId": org,
        "filename": row["filename"],
        "kind": row["kind"],
        "owner": org,
        "metadata": {
            "generations": {"asset": generation, "thumbnail": generation},
            "insertedBy": org,
            "annotations": annotations,
            "frames": row["frames"],
            "cohorts": [],
            "fileSize": row["file_size"],
            "height": row["height"],
            "width": row["width"],
            "mimeType": row["mime"],
            "source": "upload",
            "status": "active",
            "uploadStatus": "uploaded",
            "visibility": "visible",
            "userDefined": {},
            "customMetadata": custom,
            "dimensions": {"height": row["height"], "width": row["width"]},
            "pixelRatio": {"height": 1, "width": 1},
            "comments": 0,
            "customMetadataCount": len(custom),
            "hash": {"algorithm": "sha256", "contents": row["sha256"]},
            "contentsFrom": "managed",
            "framesChange": {},
            "timeCreated": row["created"],
            "lastUpdated": row["updated"],
            "contentsLastUpdated": row["contents_updated"],
        },
        "selfLink": f"{dataset_link(org, ds)}/assets/{row['asset_id']}",
        "etag": f'W/"{row["generation"]}"',
    }
    if contents is not None:
        out["contents"] = {variant: contents(row, variant) for variant in ("asset", "thumbnail")}
    return out


def page(items: list[dict[str, Any]], next_page: str | None) -> dict[str, Any]:
    """A listing envelope."""
    return {"items": items, "nextPage": next_page, "prevPage": None}
