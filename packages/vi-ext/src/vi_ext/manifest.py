"""JSON Lines manifests: one file per line, streamed in both directions (never loaded whole).

A line is an object with ``path`` (the local file; relative paths are taken relative to the
manifest's own folder), ``filename`` (the asset filename), ``size`` (bytes), and optionally
``crc32c`` (the unsigned 32-bit checksum) and ``custom_metadata`` (an object of str/int/float/bool).
Blank lines are ignored. Extra keys are kept out of the way (ignored), so newer writers stay readable.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vi_ext.errors import ManifestError as ManifestError  # re-exported: imported from here

CRC32C_MAX = 0xFFFFFFFF


@dataclass(frozen=True)
class ManifestEntry:
    """One file of a manifest."""

    path: Path
    filename: str
    size: int
    crc32c: int | None = None
    custom_metadata: dict[str, str | int | float | bool] | None = field(default=None, compare=False)

    def to_line(self, relative_to: Path | None = None) -> str:
        """The entry as one JSON line (no newline); ``path`` relative to ``relative_to`` when inside it."""
        path = self.path
        if relative_to is not None:
            try:
                path = path.relative_to(relative_to)
            except ValueError:
                path = self.path
        obj: dict[str, Any] = {"path": os.fsdecode(path), "filename": self.filename, "size": self.size}
        if self.crc32c is not None:
            obj["crc32c"] = self.crc32c
        if self.custom_metadata is not None:
            obj["custom_metadata"] = self.custom_metadata
        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:  # a name that is not UTF-8 on disk: keep the file UTF-8 with \u escapes
            line = json.dumps(obj, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
        return line


def _metadata(value: object, where: str) -> dict[str, str | int | float | bool] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ManifestError(f"{where}: custom_metadata must be an object")
    for key, item in value.items():
        if isinstance(item, float) and not math.isfinite(item):
            raise ManifestError(f"{where}: custom_metadata[{key!r}] is not a finite number")
        if not isinstance(item, str | int | float | bool):
            raise ManifestError(f"{where}: custom_metadata[{key!r}] must be a string, number or boolean")
    return value


def parse_line(line: str, base: Path, where: str) -> ManifestEntry | None:
    """Decode one manifest line (pure).

    Args:
        line: The text of the line.
        base: The folder relative ``path`` values are resolved against.
        where: ``"FILE:LINE"`` for messages.

    Returns:
        The entry, or ``None`` for a blank line.

    Raises:
        ManifestError: The line is not a valid entry.
    """
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise ManifestError(f"{where}: not valid JSON ({exc.args[0] if exc.args else exc})") from None
    if not isinstance(obj, dict):
        raise ManifestError(f"{where}: each line must be a JSON object")
    path, filename, size, crc = obj.get("path"), obj.get("filename"), obj.get("size"), obj.get("crc32c")
    if not isinstance(path, str) or not path:
        raise ManifestError(f"{where}: 'path' must be a non-empty string")
    if not isinstance(filename, str) or not filename:
        raise ManifestError(f"{where}: 'filename' must be a non-empty string")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ManifestError(f"{where}: 'size' must be a whole number of bytes")
    if crc is not None and (isinstance(crc, bool) or not isinstance(crc, int) or not 0 <= crc <= CRC32C_MAX):
        raise ManifestError(f"{where}: 'crc32c' must be an unsigned 32-bit integer")
    return ManifestEntry(base / path, filename, size, crc, _metadata(obj.get("custom_metadata"), where))


def read_manifest(path: str | os.PathLike[str]) -> Iterator[ManifestEntry]:
    """Stream the entries of a manifest, one line at a time.

    Args:
        path: The manifest file.

    Yields:
        Its entries, in file order.

    Raises:
        ManifestError: The file cannot be read, or a line is not a valid entry (named by number).
    """
    manifest = Path(path)
    try:
        handle = manifest.open(encoding="utf-8", errors="strict")
    except OSError as exc:
        raise ManifestError(f"cannot read manifest {manifest}: {exc.strerror or exc}") from None
    base = manifest.parent
    with handle:
        number = 0
        try:
            for number, line in enumerate(handle, start=1):
                entry = parse_line(line, base, f"{manifest}:{number}")
                if entry is not None:
                    yield entry
        except UnicodeDecodeError:
            raise ManifestError(f"{manifest}:{number + 1}: not UTF-8 text") from None


def write_manifest(path: str | os.PathLike[str], entries: Iterable[ManifestEntry]) -> int:
    """Write entries as a manifest, atomically (a temp file renamed into place), streaming.

    Paths inside the manifest's folder are written relative to it, so the folder can move.

    Args:
        path: Where to write.
        entries: The entries, consumed once.

    Returns:
        How many entries were written.

    Raises:
        ManifestError: The manifest cannot be written.
    """
    target = Path(path)
    base = target.parent.resolve()
    count = 0
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as exc:
        raise ManifestError(f"cannot write manifest {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for entry in entries:
                absolute = entry.path if entry.path.is_absolute() else entry.path.resolve()
                out.write(ManifestEntry(absolute, entry.filename, entry.size, entry.crc32c,
                                        entry.custom_metadata).to_line(base))  # fmt: skip
                out.write("\n")
                count += 1
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ManifestError(f"cannot write manifest {target}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
