"""CRC-32C as the wire wants it (signed 32-bit), computed by streaming the file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import google_crc32c

CHUNK = 1 << 20


def signed_crc32c(digest: bytes) -> int:
    """A 4-byte big-endian CRC-32C digest as the signed 32-bit integer of the session body."""
    return int.from_bytes(digest, "big", signed=True)


def file_crc32c(path: Path) -> int:
    """Stream ``path`` once and return its signed CRC-32C."""
    checksum = google_crc32c.Checksum()  # type: ignore[no-untyped-call]
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            checksum.update(chunk)  # type: ignore[no-untyped-call]
    return signed_crc32c(checksum.digest())  # type: ignore[no-untyped-call]


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file with a hashlib algorithm."""
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    return file_digest(path, "sha256")
