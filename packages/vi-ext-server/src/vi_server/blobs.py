"""Content-addressed blob directory, plus staging for uploads in flight."""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import shutil
from pathlib import Path
from typing import BinaryIO

import google_crc32c


class BlobStore:
    """Blobs live at ``blobs/ab/cdef…`` named by their sha256; uploads land in ``staging/``.

    This is the local store (``--blob-url file:///path``, or the data dir); `vi_server.s3_blobs`
    keeps the blobs in an S3 bucket behind the same methods, with ``staging/`` as its local
    scratch space for files being checked.
    """

    def __init__(self, root: Path) -> None:
        self.blobs = root / "blobs"
        self.staging = root / "staging"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.staging.mkdir(parents=True, exist_ok=True)

    def path_of(self, sha256: str) -> Path:
        """Where the blob with this hash lives."""
        return self.blobs / sha256[:2] / sha256[2:]

    def new_staging_path(self, suffix: str = "") -> Path:
        """A fresh path in the staging area."""
        return self.staging / (secrets.token_hex(16) + suffix)

    def put_bytes(self, data: bytes) -> str:
        """Store ``data``; return its sha256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_of(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.new_staging_path()
            tmp.write_bytes(data)
            os.replace(tmp, target)
        return digest

    def write_staging(self, data: bytes) -> Path:
        """Write ``data`` to a fresh staging file; return its path."""
        path = self.new_staging_path()
        path.write_bytes(data)
        return path

    def link_in(self, source: Path, sha256: str) -> bool:
        """Make the blob ``sha256`` exist with the bytes of ``source``, which is kept.

        Call it only under the database lock, in the transaction that records a reference to
        the blob (see `vi_server.blob_gc`).

        Args:
            source: A staged file whose sha256 is ``sha256``.
            sha256: The blob's name.

        Returns:
            Whether this call created the blob (``False`` when it already existed).

        Raises:
            OSError: The bytes could not be put in place (e.g. the disk is full).
        """
        target = self.path_of(sha256)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.ENOENT):
                raise
            tmp = self.new_staging_path()  # a file system without hard links
            try:
                shutil.copyfile(source, tmp)
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
        return True

    def remove(self, sha256: str) -> bool:
        """Remove a blob no longer referenced; return whether a file was removed."""
        try:
            self.path_of(sha256).unlink()
        except FileNotFoundError:
            return False
        return True

    def exists(self, sha256: str) -> bool:
        """Whether the blob ``sha256`` is stored."""
        return self.path_of(sha256).is_file()

    def discard_staged(self, path: Path) -> None:
        """Drop a staged file once its session file is recorded (ingested or failed)."""
        path.unlink(missing_ok=True)


class Digests:
    """Running size, crc32c, sha256 and md5 of a stream."""

    def __init__(self) -> None:
        self.size = 0
        self.crc = google_crc32c.Checksum()  # type: ignore[no-untyped-call]
        self.sha256 = hashlib.sha256()
        self.md5 = hashlib.md5(usedforsecurity=False)

    def update(self, chunk: bytes) -> None:
        """Add a chunk."""
        self.size += len(chunk)
        self.crc.update(chunk)  # type: ignore[no-untyped-call]
        self.sha256.update(chunk)
        self.md5.update(chunk)

    def crc32c_signed(self) -> int:
        """CRC-32C as the signed 32-bit integer the wire uses."""
        return int.from_bytes(self.crc.digest(), "big", signed=True)  # type: ignore[no-untyped-call]


def digest_file(handle: BinaryIO, chunk_size: int = 1 << 20) -> Digests:
    """Digest a whole file."""
    digests = Digests()
    while chunk := handle.read(chunk_size):
        digests.update(chunk)
    return digests
