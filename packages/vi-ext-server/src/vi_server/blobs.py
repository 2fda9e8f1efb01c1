"""Content-addressed blob directory, plus staging for uploads in flight."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import BinaryIO

import google_crc32c


class BlobStore:
    """Blobs live at ``blobs/ab/cdef…`` named by their sha256; uploads land in ``staging/``."""

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

    def adopt(self, staged: Path, sha256: str) -> Path:
        """Move a staged file into place under its hash (a duplicate is just dropped)."""
        target = self.path_of(sha256)
        if target.exists():
            staged.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        return target

    def remove(self, sha256: str) -> None:
        """Remove a blob no longer referenced."""
        self.path_of(sha256).unlink(missing_ok=True)


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
