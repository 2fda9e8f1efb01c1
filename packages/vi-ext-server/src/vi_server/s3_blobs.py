"""The blob store in an S3-compatible bucket (``--blob-url s3://bucket/prefix``), and the choice of store.

Layout under the prefix, as on disk: ``blobs/ab/cdef…`` (content-addressed by sha256) and
``staging/{uploadId}`` (where clients PUT, through URLs presigned by the object store). The
server never sees those PUTs: `vi_server.s3_arrivals` finds the staged objects, fetches each into
the local ``staging/`` directory as ``s3-{uploadId}`` and checks it there like a local upload.
`link_in` then copies the staged object to its content key server-side, and `discard_staged`
deletes it once the ingestion transaction committed.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from vi_server.blobs import BlobStore
from vi_server.s3_client import S3Client, S3Error, parse_s3_url

FETCHED_PREFIX = "s3-"  # local name of an object fetched from staging: s3-{uploadId}
MISSING_CODES = ("404", "NoSuchKey", "NotFound")


class S3BlobStore(BlobStore):
    """Blobs and staged uploads in a bucket; ``staging`` is the local scratch directory."""

    def __init__(self, scratch: Path, client: S3Client) -> None:
        """Keep local scratch space under ``scratch`` (no request is made).

        Args:
            scratch: The data dir (its ``staging/`` holds fetched uploads and thumbnails).
            client: The bucket.
        """
        super().__init__(scratch)
        self.client = client

    def blob_key(self, sha256: str) -> str:
        """The object key of a blob."""
        return self.client.location.key("blobs", sha256[:2], sha256[2:])

    def staging_prefix(self) -> str:
        """The key prefix clients upload under."""
        return self.client.location.key("staging") + "/"

    def staging_key(self, upload_id: str) -> str:
        """Where the file ``upload_id`` is uploaded (single PUT or multipart)."""
        return self.staging_prefix() + upload_id

    def fetched_path(self, upload_id: str) -> Path:
        """The local file a staged object is fetched into."""
        return self.staging / f"{FETCHED_PREFIX}{upload_id}"

    def put_bytes(self, data: bytes) -> str:
        """Store ``data``; return its sha256."""
        digest = hashlib.sha256(data).hexdigest()
        if not self.exists(digest):
            self.client.put(self.blob_key(digest), data)
        return digest

    def link_in(self, source: Path, sha256: str) -> bool:
        """Make the blob ``sha256`` exist with the bytes of ``source`` (see `BlobStore.link_in`).

        A fetched upload is copied from its staged object inside the bucket; anything else
        (thumbnails) is uploaded from the local file.

        Raises:
            S3Error: The bucket refused or could not be reached (retried by ingestion).
        """
        key = self.blob_key(sha256)
        if self.client.size_of(key) is not None:
            return False
        if source.name.startswith(FETCHED_PREFIX):
            try:
                self.client.copy(self.staging_key(source.name[len(FETCHED_PREFIX) :]), key)
                return True
            except S3Error as exc:
                if exc.code not in MISSING_CODES:
                    raise
        self.client.upload(source, key)
        return True

    def remove(self, sha256: str) -> bool:
        """Delete a blob no longer referenced; return whether it existed."""
        key = self.blob_key(sha256)
        existed = self.client.size_of(key) is not None
        if existed:
            self.client.delete(key)
        return existed

    def exists(self, sha256: str) -> bool:
        """Whether the blob ``sha256`` is stored."""
        return self.client.size_of(self.blob_key(sha256)) is not None

    def discard_staged(self, path: Path) -> None:
        """Drop the local copy and the staged object (a failure leaves it to the staging sweep)."""
        path.unlink(missing_ok=True)
        if path.name.startswith(FETCHED_PREFIX):
            # A failure leaves it to `vi_server.s3_arrivals`, which removes staged objects of finished files.
            with contextlib.suppress(S3Error):
                self.client.delete(self.staging_key(path.name[len(FETCHED_PREFIX) :]))

    def upload_url(self, upload_id: str, mime: str, ttl: int) -> dict[str, Any]:
        """The SignedRequest of a single-request upload: a presigned ``put_object`` on the staging key.

        ``Content-Type`` is part of the signature, so it is given to the client in ``headers``
        (the official client sends exactly those headers).
        """
        url = self.client.presign_put(self.staging_key(upload_id), mime, ttl)
        return {"url": url, "expiry": int((time.time() + ttl) * 1000), "headers": {"Content-Type": mime},
                "method": "PUT"}  # fmt: skip

    def download_url(self, sha256: str, media: str, ttl: int) -> dict[str, Any]:
        """The SignedRequest of a download: a presigned ``get_object`` answering with ``media``."""
        url = self.client.presign_get(self.blob_key(sha256), media, ttl)
        return {"url": url, "expiry": int((time.time() + ttl) * 1000), "headers": {}, "method": "GET"}


def s3_contents(store: S3BlobStore, ttl: int) -> Callable[[Any, str], dict[str, Any]]:
    """Download URLs presigned by the object store (see `vi_server.views.server_signed`).

    Args:
        store: The S3 store.
        ttl: Seconds the URLs live.

    Returns:
        ``(asset row, variant) -> SignedRequest``.
    """

    def sign(row: Any, variant: str) -> dict[str, Any]:
        if variant == "asset":
            return store.download_url(row["sha256"], row["mime"], ttl)
        return store.download_url(row["thumb_sha256"], "image/jpeg", ttl)

    return sign


def remote_of(blobs: BlobStore) -> S3BlobStore | None:
    """The store as an S3 store, or ``None`` for local files (the server then signs its own URLs)."""
    return blobs if isinstance(blobs, S3BlobStore) else None


def open_blob_store(data_dir: Path, blob_url: str = "", s3_endpoint: str = "") -> BlobStore:
    """The blob store ``--blob-url`` names.

    Args:
        data_dir: The server's data dir (default blob directory; local scratch for S3).
        blob_url: ``""`` (the data dir), ``file:///path`` or ``s3://bucket/prefix``.
        s3_endpoint: An S3-compatible endpoint URL (``""``: AWS).

    Returns:
        The store.

    Raises:
        ValueError: An unsupported URL.
    """
    if not blob_url:
        return BlobStore(data_dir)
    scheme = urlsplit(blob_url).scheme
    if scheme == "file":
        parts = urlsplit(blob_url)
        if parts.netloc not in ("", "localhost") or not parts.path:
            raise ValueError(f"--blob-url {blob_url!r}: use file:///absolute/path")
        return BlobStore(Path(unquote(parts.path)))
    if scheme == "s3":
        return S3BlobStore(data_dir, S3Client(parse_s3_url(blob_url), s3_endpoint or None))
    raise ValueError(f"--blob-url {blob_url!r}: expected s3://bucket/prefix or file:///path")
