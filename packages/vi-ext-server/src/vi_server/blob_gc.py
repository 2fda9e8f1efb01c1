"""Blob lifetime, transactional with the asset rows (issue 14.1).

Blobs are shared by content: several assets, and thumbnails, may name the same sha256. The store
once removed a blob as soon as an overwrite or a delete left it unreferenced, while another file
with the same content had already been moved onto that blob by an inspection worker but was not
yet recorded: the new asset then pointed at missing bytes. The rules now:

* Bytes enter the store only inside the transaction that records the asset naming them (ingestion
  hard-links the staged file and the thumbnail into place there, under the database lock), and
  the staged file is removed only after that transaction committed.
* Dropping a reference (overwrite, delete) only records the hash as a *candidate* in
  ``blob_garbage``, in the same transaction as the row change.
* The sweeper removes a candidate's file in its own transaction, under the same lock, and only
  if no asset names it at that moment and it has been a candidate for a grace period (a download
  that has just read the old row still finds the bytes).

Every file-system change to ``blobs/`` happens under the database lock, so "no asset names it"
cannot go stale before the file is removed, and a rolled-back transaction leaves at worst an
unreferenced file (which becomes a candidate again), never a row without bytes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from vi_server.blobs import BlobStore
from vi_server.store import Conn, MetadataStore


def drop_references(conn: Conn, hashes: Iterable[str], now: int) -> None:
    """Note blobs that may have lost their last reference (in the caller's transaction).

    Args:
        conn: The connection, inside the transaction that changed the asset rows.
        hashes: The sha256 of blobs that an asset no longer names.
        now: The time in milliseconds (the grace period counts from it).
    """
    conn.executemany(
        "INSERT INTO blob_garbage (sha256, since) VALUES (?, ?) ON CONFLICT (sha256) DO UPDATE SET since=excluded.since",
        [(h, now) for h in set(hashes) if h],
    )


def referenced(conn: Conn, digest: str) -> bool:
    """Whether any asset names ``digest`` as its contents or its thumbnail."""
    return (
        conn.execute("SELECT 1 FROM assets WHERE sha256=? LIMIT 1", (digest,)).fetchone() is not None
        or conn.execute("SELECT 1 FROM assets WHERE thumb_sha256=? LIMIT 1", (digest,)).fetchone() is not None
    )


class BlobCollector:
    """Removes candidate blobs that no asset names (see the module docstring)."""

    def __init__(self, db: MetadataStore, blobs: BlobStore, grace_ms: int) -> None:
        self.db = db
        self.blobs = blobs
        self.grace_ms = grace_ms
        self._suspects: set[str] = set()
        self._lock = threading.Lock()

    def suspect(self, hashes: Iterable[str]) -> None:
        """Blobs linked by a transaction that then failed (the database may be full): check them too.

        Args:
            hashes: Their sha256.
        """
        with self._lock:
            self._suspects.update(hashes)

    def sweep(self, now: int) -> int:
        """Remove unreferenced candidates older than the grace period; return how many files went.

        Args:
            now: The time in milliseconds.

        Returns:
            The number of blob files removed.
        """
        with self._lock:
            suspects = set(self._suspects)
        removed = 0
        with self.db.tx() as conn:
            due = [
                r[0] for r in conn.execute("SELECT sha256 FROM blob_garbage WHERE since <= ?", (now - self.grace_ms,))
            ]
            if not due and not suspects:
                return 0
            for digest in set(due) | suspects:
                if not referenced(conn, digest) and self.blobs.remove(digest):
                    removed += 1
            conn.executemany("DELETE FROM blob_garbage WHERE sha256=?", [(d,) for d in due])
        with self._lock:
            self._suspects -= suspects
        return removed
