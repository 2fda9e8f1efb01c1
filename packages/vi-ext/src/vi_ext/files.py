"""Which local files an upload takes, and the asset filename each one gets (no network)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from vi_ext.codes import FailureCode
from vi_ext.errors import ViValidationError

MIME_BY_EXTENSION = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jfif": "image/jpeg", ".png": "image/png",
    ".tiff": "image/tiff", ".tif": "image/tiff", ".bmp": "image/bmp", ".webp": "image/webp",
    ".heif": "image/heif", ".heic": "image/heic", ".avif": "image/avif", ".jp2": "image/jp2",
    ".j2k": "image/jp2", ".gif": "image/gif",
}  # fmt: skip
SUPPORTED_EXTENSIONS = frozenset(MIME_BY_EXTENSION)

# Short names of the client-side failure codes (see `vi_ext.codes.FailureCode`).
UNSUPPORTED = FailureCode.UNSUPPORTED_EXTENSION
EMPTY = FailureCode.EMPTY_FILE
TOO_LARGE = FailureCode.FILE_TOO_LARGE
UNREADABLE = FailureCode.UNREADABLE
DUPLICATE = FailureCode.DUPLICATE_FILENAME
INVALID_NAME = FailureCode.INVALID_FILENAME
NOT_SENT = FailureCode.NOT_SENT
MAX_FILENAME = 1024  # the spec's maxLength for an asset filename

PathsArg = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


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


def as_path_list(paths: PathsArg) -> list[str]:
    """Normalise the ``paths`` argument (a path, or any iterable of paths such as a generator) to strings.

    Raises:
        ViValidationError: ``paths`` is neither a path nor an iterable of paths.
    """
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    if isinstance(paths, (bytes, bytearray)) or not isinstance(paths, Iterable):
        raise ViValidationError(f"paths must be a path or an iterable of paths, not {type(paths).__name__}")
    out: list[str] = []
    for p in paths:
        if not isinstance(p, (str, os.PathLike)):
            raise ViValidationError(f"each path must be a str or os.PathLike, not {type(p).__name__}: {p!r}")
        out.append(os.fspath(p))
    return out


def normalize_prefix(prefix: str | None) -> str:
    """The validated asset-filename prefix, ending in ``/`` (``""`` for none).

    ``"train/cat"`` and ``"train/cat/"`` both give ``"train/cat/"``.

    Raises:
        ViValidationError: not a relative ``/``-separated path (leading ``/``, backslash, NUL,
            ``.``/``..`` or empty segments, invalid UTF-8).
    """
    if prefix is None or prefix == "":
        return ""
    if not isinstance(prefix, str):
        raise ViValidationError(f"prefix must be a str, not {type(prefix).__name__}")
    body = prefix[:-1] if prefix.endswith("/") else prefix
    problem = None
    if not _is_utf8(prefix):
        problem = "it is not valid UTF-8"
    elif "\\" in prefix or "\x00" in prefix:
        problem = "it must not contain a backslash or NUL; separate folders with '/'"
    elif prefix.startswith("/"):
        problem = "it must be relative (no leading '/')"
    elif any(part in ("", ".", "..") for part in body.split("/")):
        problem = "it must not contain empty, '.' or '..' segments"
    if problem:
        raise ViValidationError(f"invalid prefix {prefix!r}: {problem}")
    return body + "/"


def _is_utf8(text: str) -> bool:
    """False for names holding lone surrogates (bytes that were not UTF-8 on a POSIX file system)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_path(text: str) -> str:
    """``text`` printable anywhere: undecodable file-name bytes shown as ``\\xe9`` escapes."""
    return text if _is_utf8(text) else os.fsencode(text).decode("utf-8", "backslashreplace")


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


def discover(paths: PathsArg, max_file_size: int, prefix: str = "") -> Selection:
    """Expand files and folders; ``prefix`` (already validated) goes before every asset filename.

    Raises:
        ViValidationError: a path is missing, or nothing is found.
    """
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
        for path, name, explicit in candidates:
            local = str(path) if not explicit else entry
            filename = prefix + name
            if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
                reason = f"unsupported extension {path.suffix or '(none)'!r}"
                if explicit:
                    _reject(selection, local, filename, UNSUPPORTED, reason)
                else:
                    selection.skipped.append(Skipped(local, reason))
                continue
            size = _size(path)
            if not _is_utf8(filename):
                shown = display_path(filename)
                _reject(selection, local, filename, INVALID_NAME, f"the file name '{shown}' is not valid UTF-8")
            elif len(filename) > MAX_FILENAME:
                _reject(
                    selection, local, filename, INVALID_NAME, f"the asset filename is over {MAX_FILENAME} characters"
                )
            elif size is None:
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
    Windows device names (``CON``, ``NUL``, ``CONIN$``, ``COM0``-``COM9``, ``COM¹``…, also with an
    extension or trailing spaces/dots, which Windows strips).
    """
    if not filename or "\x00" in filename or "\\" in filename or filename.startswith("/"):
        return None
    parts = filename.split("/")
    digits = "0123456789\u00b9\u00b2\u00b3"
    reserved = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", *(p + d for p in ("COM", "LPT") for d in digits)}
    for part in parts:
        if part in ("", ".", "..") or ":" in part or part.split(".")[0].rstrip(" ").upper() in reserved:
            return None
    return PurePosixPath(*parts)
