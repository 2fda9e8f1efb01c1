"""Which local files an upload takes, and the asset filename each one gets (no network)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from vi_ext.errors import ViValidationError

MIME_BY_EXTENSION = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jfif": "image/jpeg", ".png": "image/png",
    ".tiff": "image/tiff", ".tif": "image/tiff", ".bmp": "image/bmp", ".webp": "image/webp",
    ".heif": "image/heif", ".heic": "image/heic", ".avif": "image/avif", ".jp2": "image/jp2",
    ".j2k": "image/jp2", ".gif": "image/gif",
}  # fmt: skip
SUPPORTED_EXTENSIONS = frozenset(MIME_BY_EXTENSION)

# Client-side failure codes (server codes such as ECORRUPT come from ingestion).
UNSUPPORTED = "UNSUPPORTED_EXTENSION"
EMPTY = "EMPTY_FILE"
TOO_LARGE = "FILE_TOO_LARGE"
UNREADABLE = "UNREADABLE"
DUPLICATE = "DUPLICATE_FILENAME"


@dataclass(frozen=True)
class LocalFile:
    """A file chosen for upload."""

    path: Path
    local: str
    filename: str
    size: int
    mime: str


@dataclass(frozen=True)
class Skipped:
    """A file found in a folder but not taken (unsupported extension)."""

    local: str
    reason: str


@dataclass(frozen=True)
class Rejected:
    """A file that fails before anything is sent."""

    local: str
    filename: str
    code: str
    message: str


@dataclass
class Selection:
    """What discovery found, in input order."""

    files: list[LocalFile]
    rejected: list[Rejected]
    skipped: list[Skipped]
    order: list[str]


def as_path_list(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[str]:
    """Normalise the ``paths`` argument to a list of strings."""
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    if isinstance(paths, Sequence) and not isinstance(paths, bytes):
        return [os.fspath(p) for p in paths]
    raise ViValidationError(f"paths must be a path or a list of paths, not {type(paths).__name__}")


def _walk(root: Path) -> Iterable[Path]:
    """Regular files under ``root`` in sorted order; directory symlinks are not followed (no loops)."""
    for current, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            yield Path(current, name)


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None


def discover(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], max_file_size: int) -> Selection:
    """Expand files and folders; raise `ViValidationError` when a path is missing or nothing is found."""
    entries = as_path_list(paths)
    if not entries:
        raise ViValidationError("no paths given")
    selection = Selection([], [], [], [])
    seen: dict[str, str] = {}
    for entry in entries:
        root = Path(entry).expanduser()
        if not root.exists():
            raise ViValidationError(f"path not found: {entry}")
        if root.is_dir():
            candidates = [(p, p.relative_to(root).as_posix(), False) for p in _walk(root)]
        elif root.is_file():
            candidates = [(root, root.name, True)]
        else:
            raise ViValidationError(f"not a file or folder: {entry}")
        for path, filename, explicit in candidates:
            local = str(path) if not explicit else entry
            if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
                reason = f"unsupported extension {path.suffix or '(none)'!r}"
                if explicit:
                    _reject(selection, local, filename, UNSUPPORTED, reason)
                else:
                    selection.skipped.append(Skipped(local, reason))
                continue
            size = _size(path)
            if size is None:
                _reject(selection, local, filename, UNREADABLE, "not a readable regular file")
            elif size == 0:
                _reject(selection, local, filename, EMPTY, "the file is empty (0 bytes)")
            elif size > max_file_size:
                _reject(
                    selection, local, filename, TOO_LARGE, f"{size:,} bytes is over the {max_file_size:,}-byte limit"
                )
            elif filename in seen:
                _reject(selection, local, filename, DUPLICATE, f"same asset filename as {seen[filename]}")
            else:
                seen[filename] = local
                selection.order.append(local)
                selection.files.append(LocalFile(path, local, filename, size, MIME_BY_EXTENSION[path.suffix.lower()]))
    if not selection.files and not selection.rejected:
        where = ", ".join(entries)
        extra = f" ({len(selection.skipped)} files with unsupported extensions)" if selection.skipped else ""
        raise ViValidationError(f"no image files found in {where}{extra}")
    return selection


def _reject(selection: Selection, local: str, filename: str, code: str, message: str) -> None:
    selection.order.append(local)
    selection.rejected.append(Rejected(local, filename, code, message))


def safe_relative(filename: str) -> PurePosixPath | None:
    """The relative path an asset filename may be written to, or ``None`` if it could escape.

    Refused: absolute paths, ``..`` segments, backslashes, NUL, drive letters, empty names and
    Windows device names (``CON``, ``NUL``, ``COM1``…).
    """
    if not filename or "\x00" in filename or "\\" in filename or filename.startswith("/"):
        return None
    parts = filename.split("/")
    reserved = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
    for part in parts:
        if part in ("", ".", "..") or ":" in part or part.split(".")[0].upper() in reserved:
            return None
    return PurePosixPath(*parts)
