"""Multipart uploads on an S3 blob store: S3's own multipart upload behind the Vi multipart routes.

The Vi multipart session maps onto one S3 multipart upload of the file's staging key. Part URLs
are presigned ``upload_part`` URLs; a part completion records the ETag the client reports (S3
checks it when the parts are joined); the final completion calls CompleteMultipartUpload, after
which the joined object is found and checked like a single-request upload
(`vi_server.s3_arrivals`). Abort (and cancel, and deleting the dataset) calls AbortMultipartUpload;
the staging sweep aborts any S3 upload whose Vi multipart upload is no longer open.

New table (S3 only): ``s3_multipart_uploads (multipart_id, s3_upload_id, object_key)``.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from vi_server.errors import ApiError
from vi_server.s3_blobs import S3BlobStore
from vi_server.s3_client import S3Error
from vi_server.store import Conn, Row

S3_MIN_PART_SIZE = 5 << 20  # S3 refuses to join parts smaller than this (all but the last)
MIN_PART_ENV = "VI_SERVER_S3_MIN_PART_SIZE"  # another S3-compatible store's minimum (tests: moto's, lowered)


def part_size(configured: int) -> int:
    """The part size on S3: ``--multipart-part-size``, but at least the store's minimum part size.

    Args:
        configured: ``--multipart-part-size``.

    Returns:
        The bytes per part the server plans with.

    Raises:
        ValueError: ``$VI_SERVER_S3_MIN_PART_SIZE`` is not a positive integer.
    """
    raw = os.environ.get(MIN_PART_ENV, "").strip()
    if raw and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
        raise ValueError(f"${MIN_PART_ENV} must be a positive integer, got {raw!r}")
    return max(configured, int(raw) if raw else S3_MIN_PART_SIZE)


def start(conn: Conn, store: S3BlobStore, multipart_id: str, upload_id: str,
          content_type: str | None) -> None:  # fmt: skip
    """Start the S3 multipart upload of a file's staging key and remember its id.

    Raises:
        ApiError: 503 when S3 refused (the client retries the whole multipart sequence).
    """
    key = store.staging_key(upload_id)
    try:
        s3_id = store.client.create_multipart(key, content_type)
    except S3Error as exc:
        raise ApiError(503, f"the object store did not start the multipart upload: {exc.code or 'error'}") from exc
    conn.execute("INSERT INTO s3_multipart_uploads VALUES (?,?,?)", (multipart_id, s3_id, key))


def _row(conn: Conn, multipart_id: str) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT * FROM s3_multipart_uploads WHERE multipart_id=?", (multipart_id,)
    ).fetchone()
    return row


def part_url(conn: Conn, store: S3BlobStore, multipart_id: str, number: int,
             ttl: int, now_ms: int) -> dict[str, Any]:  # fmt: skip
    """The PartSignedUrl of one part: a presigned ``upload_part``; the client reports the ETag."""
    row = _row(conn, multipart_id)
    if row is None:
        raise ApiError(409, "the multipart upload has no object-store upload")
    url = store.client.presign_part(row["object_key"], row["s3_upload_id"], number, ttl)
    return {"method": "PUT", "url": url, "expiry": now_ms + ttl * 1000, "responseHeaders": ["ETag"],
            "responseBody": False, "headers": {}}  # fmt: skip


def record_part(conn: Conn, multipart_id: str, number: int, size: int, etag: str) -> None:
    """Record a part as completed with the ETag its upload answered (checked by S3 when joined).

    Raises:
        ApiError: 409 when no ETag was reported.
    """
    if not etag.strip('"'):
        raise ApiError(409, f"part {number}: no ETag reported (send the storage response's ETag header)")
    conn.execute(
        "INSERT INTO multipart_parts VALUES (?,?,?,?,1) ON CONFLICT (multipart_id, part_number)"
        " DO UPDATE SET etag=excluded.etag, completed=1",
        (multipart_id, number, size, etag),
    )


def complete(conn: Conn, store: S3BlobStore, multipart_id: str) -> None:
    """Join the recorded parts with CompleteMultipartUpload.

    Raises:
        ApiError: 409 when S3 refuses the part list (a wrong ETag, a part never uploaded, a part
            too small), 503 when S3 could not be reached.
    """
    row = _row(conn, multipart_id)
    if row is None:
        raise ApiError(409, "the multipart upload has no object-store upload")
    other = conn.execute(
        "SELECT 1 FROM multipart_uploads m JOIN multipart_uploads o ON o.session_id=m.session_id AND o.idx=m.idx"
        " WHERE m.multipart_id=? AND o.state='completed' LIMIT 1",
        (multipart_id,),
    ).fetchone()
    if other is not None:  # its object may be waiting in staging: it must not be replaced
        raise ApiError(409, "the file no longer accepts uploads (another multipart upload of it completed)")
    etags = [r[0] for r in conn.execute(
        "SELECT etag FROM multipart_parts WHERE multipart_id=? ORDER BY part_number", (multipart_id,)
    )]  # fmt: skip
    try:
        store.client.complete_multipart(row["object_key"], row["s3_upload_id"], etags)
    except S3Error as exc:
        status = 409 if exc.code.startswith("Invalid") or exc.code in ("EntityTooSmall", "NoSuchUpload") else 503
        raise ApiError(status, f"the object store did not join the parts: {exc.code or exc}") from exc


def abort(conn: Conn, store: S3BlobStore, multipart_id: str) -> None:
    """Abort the S3 upload (a failure is left to the staging sweep, which aborts it later)."""
    row = _row(conn, multipart_id)
    if row is None:
        return
    with contextlib.suppress(S3Error):
        store.client.abort_multipart(row["object_key"], row["s3_upload_id"])


def open_uploads(conn: Conn, s3_upload_ids: list[str]) -> set[str]:
    """Which of these S3 upload ids belong to a Vi multipart upload that is still open."""
    return _ids_among(conn, s3_upload_ids, "s3_multipart_uploads s JOIN multipart_uploads m USING (multipart_id)",
                      "m.state='open' AND ")  # fmt: skip


def known_uploads(conn: Conn, s3_upload_ids: list[str]) -> set[str]:
    """Which of these S3 upload ids the server recorded (a younger one may not be committed yet)."""
    return _ids_among(conn, s3_upload_ids, "s3_multipart_uploads", "")


def _ids_among(conn: Conn, s3_upload_ids: list[str], source: str, condition: str) -> set[str]:
    if not s3_upload_ids:
        return set()
    marks = ",".join("?" * len(s3_upload_ids))
    rows = conn.execute(f"SELECT s3_upload_id FROM {source} WHERE {condition}s3_upload_id IN ({marks})", s3_upload_ids)
    return {r[0] for r in rows}
