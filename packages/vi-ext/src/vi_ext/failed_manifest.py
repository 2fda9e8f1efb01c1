"""The failures of an upload as a manifest, so "re-send only what failed" is one command.

Each failed file becomes one line with its final asset filename (any prefix already applied: re-run
it with ``--manifest FILE`` and no ``--prefix``), its size on disk now (0 when it is gone) and,
when the upload itself came from a manifest, that line's crc32c and custom metadata.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from vi_ext.manifest import ManifestEntry, read_manifest, write_manifest
from vi_ext.results import AssetUploadResult


def _size_now(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def failed_entries(result: AssetUploadResult, source: str | os.PathLike[str] | None = None) -> Iterator[ManifestEntry]:
    """One manifest entry per failed file of ``result``, in its order.

    Args:
        result: The upload's result.
        source: The manifest the upload read, if any (its crc32c and custom metadata are kept).

    Yields:
        The entries.
    """
    given: dict[str, ManifestEntry] = {}
    if source is not None:
        wanted = {f.path for f in result.failures}
        given = {str(e.path.expanduser()): e for e in read_manifest(source) if str(e.path.expanduser()) in wanted}
    for failure in result.failures:
        path = Path(failure.path)
        original = given.get(failure.path)
        crc = original.crc32c if original is not None and original.size == _size_now(path) else None
        metadata = original.custom_metadata if original is not None else None
        yield ManifestEntry(path, failure.filename, _size_now(path), crc, metadata)


def write_failed_manifest(
    target: str | os.PathLike[str], result: AssetUploadResult, source: str | os.PathLike[str] | None = None
) -> int:
    """Write the failures of ``result`` as a manifest (atomically; an empty file when nothing failed).

    Args:
        target: Where to write.
        result: The upload's result.
        source: The manifest the upload read, if any.

    Returns:
        How many entries were written.

    Raises:
        ManifestError: The file cannot be written.
    """
    return write_manifest(target, failed_entries(result, source))
