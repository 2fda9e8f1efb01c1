"""Asset rows: upsert on ingestion (overwrite modes), deletion, keyset scans.

A row change that drops a blob reference notes the blob as a garbage candidate in the same
transaction; the blob itself is removed later by `vi_server.blob_gc` once nothing names it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vi_server import blob_gc
from vi_server.blobs import BlobStore
from vi_server.keys import new_id
from vi_server.state import now_ms
from vi_server.store import Conn, Row

EMPTY_ANNOTATIONS = json.dumps({"withTag": {}, "total": 0})
SORT_COLUMNS = {
    "default": "seq",
    "assetId": "asset_id",
    "filename": "filename",
    "lastModified.contents": "contents_updated",
    "metadata.fileSize": "file_size",
}


@dataclass(frozen=True)
class NewContents:
    """What ingestion learned about a file."""

    filename: str
    kind: str
    mime: str
    size: int
    width: int
    height: int
    frames: int
    sha256: str
    thumb_sha256: str
    custom_metadata: dict[str, Any]


def upsert(
    conn: Conn,
    org: str,
    ds: str,
    new: NewContents,
    keep_linked: bool,
    now: int,
) -> str:
    """Insert the asset, or overwrite the one with the same filename; return its id.

    Overwriting keeps the asset id. ``RemoveLinkedResource`` resets annotations and replaces the
    custom metadata; ``KeepLinkedResources`` keeps annotations and merges custom metadata.
    """
    old = conn.execute(
        "SELECT * FROM assets WHERE org_id=? AND dataset_id=? AND filename=?",
        (org, ds, new.filename),
    ).fetchone()
    if old is None:
        asset_id = new_id()
        conn.execute(
            "INSERT INTO assets (asset_id, org_id, dataset_id, filename, kind, mime, file_size, width,"
            " height, frames, sha256, thumb_sha256, custom_metadata, annotations, created, updated,"
            " contents_updated, generation) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
            (asset_id, org, ds, new.filename, new.kind, new.mime, new.size, new.width, new.height,
             new.frames, new.sha256, new.thumb_sha256, json.dumps(new.custom_metadata),
             EMPTY_ANNOTATIONS, now, now, now),
        )  # fmt: skip
        return asset_id
    custom = new.custom_metadata
    annotations = old["annotations"]
    if keep_linked:
        custom = {**json.loads(old["custom_metadata"]), **custom}
    else:
        annotations = EMPTY_ANNOTATIONS
    conn.execute(
        "UPDATE assets SET kind=?, mime=?, file_size=?, width=?, height=?, frames=?, sha256=?,"
        " thumb_sha256=?, custom_metadata=?, annotations=?, updated=?, contents_updated=?,"
        " generation=generation+1 WHERE seq=?",
        (new.kind, new.mime, new.size, new.width, new.height, new.frames, new.sha256,
         new.thumb_sha256, json.dumps(custom), annotations, now, now, old["seq"]),
    )  # fmt: skip
    kept = (new.sha256, new.thumb_sha256)
    blob_gc.drop_references(conn, [h for h in (old["sha256"], old["thumb_sha256"]) if h not in kept], now)
    return str(old["asset_id"])


def delete(conn: Conn, blobs: BlobStore, rows: list[Row]) -> int:
    """Delete asset rows; their blobs become garbage candidates. Return how many were deleted.

    Args:
        conn: The connection, inside a transaction.
        blobs: The blob store (its files are removed later by the sweeper, never here).
        rows: The asset rows to delete.

    Returns:
        The number of rows deleted.
    """
    del blobs  # kept for callers: blob files are only removed by `vi_server.blob_gc`
    conn.executemany("DELETE FROM assets WHERE seq=?", [(r["seq"],) for r in rows])
    blob_gc.drop_references(conn, [h for r in rows for h in (r["sha256"], r["thumb_sha256"])], now_ms())
    return len(rows)


def get(conn: Conn, org: str, ds: str, asset_id: str) -> Row | None:
    """One asset row."""
    row: Row | None = conn.execute(
        "SELECT * FROM assets WHERE org_id=? AND dataset_id=? AND asset_id=?", (org, ds, asset_id)
    ).fetchone()
    return row


def count(conn: Conn, org: str, ds: str) -> int:
    """Number of assets in a dataset."""
    return int(conn.execute("SELECT COUNT(*) FROM assets WHERE org_id=? AND dataset_id=?", (org, ds)).fetchone()[0])


def scan(
    conn: Conn,
    org: str,
    ds: str,
    sort_by: str,
    descending: bool,
    after: tuple[Any, int] | None,
    batch: int,
) -> Iterator[Row]:
    """Rows in sort order, strictly after ``after`` = ``(sort value, seq)``, in batches."""
    column = SORT_COLUMNS[sort_by]
    direction, cmp = ("DESC", "<") if descending else ("ASC", ">")
    position = after
    while True:
        where, args = "org_id=? AND dataset_id=?", list[Any]([org, ds])
        if position is not None:
            where += f" AND ({column}, seq) {cmp} (?, ?)"
            args += [position[0], position[1]]
        rows = conn.execute(
            f"SELECT * FROM assets WHERE {where} ORDER BY {column} {direction}, seq {direction} LIMIT ?",
            (*args, batch),
        ).fetchall()
        yield from rows
        if len(rows) < batch:
            return
        position = (rows[-1][column], rows[-1]["seq"])


def sort_value(row: Row, sort_by: str) -> Any:
    """The value a row sorts by."""
    return row[SORT_COLUMNS[sort_by]]
