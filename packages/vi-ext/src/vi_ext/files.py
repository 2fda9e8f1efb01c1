"""Which local files an upload takes, and the asset filename each one gets (no network)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from vi_ext.codes import FailureCode
from vi_ext.errors import ViValidationError
from vi_ext.manifest import ManifestEntry
from vi_ext.selection import FileFilter, is_default_excluded

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
MISSING = FailureCode.FILE_MISSING
CHANGED = FailureCode.FILE_CHANGED
HIDDEN_FOLDER = "hidden or system folder (default exclude)"
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
    crc32c: int | None = None
    """The checksum a manifest gave: the file counts as changed (`CHANGED`) when it differs."""
    custom_metadata: dict[str, Any] | None = field(default=None, compare=False)
    """A manifest entry's own custom metadata (wins over ``upload(custom_metadata=...)``)."""


@dataclass(frozen=True)
class Skipped:
    """A file found in a folder but not taken: unsupported extension, or left out by the selection rules."""

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


def _walk(root: Path, rules: FileFilter, pruned: list[Skipped]) -> Iterable[tuple[str, str, str | None, int | None]]:
    """Files under ``root`` in sorted order: path, relative path, why the rules leave it out (``None``: taken), size.

    One ``scandir`` per folder and one ``stat`` per file (the size; ``None`` when it is not a
    readable regular file). Directory symlinks are not followed (no loops). With the default
    excludes on, hidden and system folders (``.git``, ``__MACOSX``…) are not entered: each is
    appended to ``pruned`` once.
    """
    stack = [(root, "")]
    while stack:
        folder, rel_dir = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs: list[tuple[Path, str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            relative = rel_dir + entry.name
            if not is_dir and entry.is_symlink() and os.path.isdir(entry.path):
                yield entry.path, relative, None, _LINKED_DIR
                continue
            if is_dir:
                if rules.default_excludes and is_default_excluded(entry.name):
                    pruned.append(Skipped(entry.path, HIDDEN_FOLDER))
                else:
                    subdirs.append((Path(entry.path), relative + "/"))
                continue
            yield entry.path, relative, rules.why_not(relative), _entry_size(entry)
        stack.extend(reversed(subdirs))  # files of a folder first, then its sub-folders in name order


def _suffix(name: str) -> str:
    """``Path(name).suffix`` without building a path (a leading-dot name like ``.png`` has none)."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:] if 0 < dot < len(base) - 1 else ""


_LINKED_DIR = -1  # the "size" `_walk` gives a symbolic link to a folder (never followed)


def _entry_size(entry: os.DirEntry[str]) -> int | None:
    try:
        info = entry.stat()  # follows a file symlink, like Path.stat
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None


def discover(paths: PathsArg, max_file_size: int, prefix: str = "", rules: FileFilter | None = None) -> Selection:
    """Expand files and folders; ``prefix`` (already validated) goes before every asset filename.

    Files found in folders pass ``rules`` (include/exclude globs and the default excludes, see
    `vi_ext.selection`); a file given directly is always taken. Every file left out is in
    ``Selection.skipped`` with its reason (a pruned hidden folder counts as one entry).

    Raises:
        ViValidationError: a path is missing, or nothing is found.
    """
    entries = as_path_list(paths)
    if not entries:
        raise ViValidationError("no paths given")
    rules = rules or FileFilter()
    selection = Selection([], [], [], [])
    seen: dict[str, str] = {}
    for entry in entries:
        root = Path(entry).expanduser()
        if not root.exists():
            raise ViValidationError(f"path not found: {entry}")
        pruned: list[Skipped] = []
        if root.is_dir():
            candidates: Iterable[tuple[str, str, bool, str | None, int | None]] = (
                (p, rel, False, why, size) for p, rel, why, size in _walk(root, rules, pruned)
            )
        elif root.is_file():
            candidates = [(str(root), root.name, True, None, _size(root))]
        else:
            raise ViValidationError(f"not a file or folder: {entry}")
        for found, name, explicit, left_out, size in candidates:
            local = found if not explicit else entry
            if size == _LINKED_DIR:  # never followed (no loops), and not a file: not listed, as before
                continue
            filename = prefix + name
            if left_out is not None:
                selection.skipped.append(Skipped(local, left_out))
                continue
            suffix = _suffix(name)
            if suffix.lower() not in SUPPORTED_EXTENSIONS:
                reason = f"unsupported extension {suffix or '(none)'!r}"
                if explicit:
                    _reject(selection, local, filename, UNSUPPORTED, reason)
                else:
                    selection.skipped.append(Skipped(local, reason))
                continue
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
                mime = MIME_BY_EXTENSION[suffix.lower()]
                selection.files.append(LocalFile(Path(found), local, filename, size, mime))
        selection.skipped.extend(pruned)
    if not selection.files and not selection.rejected:
        where = ", ".join(entries)
        unsupported = all(s.reason.startswith("unsupported extension") for s in selection.skipped)
        extra = (
            f" ({len(selection.skipped)} files with unsupported extensions)"
            if unsupported
            else f" ({len(selection.skipped)} left out: {skip_counts(selection.skipped)})"
        )
        extra = extra if selection.skipped else ""
        raise ViValidationError(f"no image files found in {where}{extra}")
    return selection


def skip_counts(skipped: Iterable[Skipped]) -> str:
    """``"3 unsupported extension '.txt', 1 hidden or system folder…"``: how many files per reason."""
    counts: dict[str, int] = {}
    for s in skipped:
        counts[s.reason] = counts.get(s.reason, 0) + 1
    return ", ".join(f"{n} {reason}" for reason, n in counts.items())


def from_manifest(entries: Iterable[ManifestEntry], max_file_size: int, prefix: str = "") -> Selection:
    """The selection a manifest describes: one file per entry, each checked against the disk.

    A missing file is `MISSING`, one whose size differs from the manifest's is `CHANGED` (a
    differing ``crc32c`` is found when the checksum is computed, before it is sent); the other
    checks are those of `discover`. A path listed again is skipped (its first line counts).

    Args:
        entries: The manifest's entries (streamed once).
        max_file_size: Larger files are rejected.
        prefix: A validated prefix put before every entry's filename.

    Returns:
        The selection, in manifest order.

    Raises:
        ViValidationError: The manifest has no entries.
    """
    selection = Selection([], [], [], [])
    seen: dict[str, str] = {}
    locals_seen: set[str] = set()
    for entry in entries:
        path = Path(entry.path).expanduser()
        local = str(path)
        filename = prefix + entry.filename
        if local in locals_seen:  # one outcome per local path: the first line counts
            selection.skipped.append(Skipped(local, "listed again in the manifest (the first line counts)"))
            continue
        locals_seen.add(local)
        size = _size(path)
        if not path.exists():
            _reject(selection, local, filename, MISSING, "the file is not there (listed in the manifest)")
        elif size is None:
            _reject(selection, local, filename, UNREADABLE, "not a readable regular file")
        elif size != entry.size:
            _reject(selection, local, filename, CHANGED, f"{size:,} bytes on disk, {entry.size:,} in the manifest")
        elif path.suffix.lower() not in SUPPORTED_EXTENSIONS:
            _reject(selection, local, filename, UNSUPPORTED, f"unsupported extension {path.suffix or '(none)'!r}")
        elif not _is_utf8(filename) or len(filename) > MAX_FILENAME or safe_relative(filename) is None:
            _reject(selection, local, filename, INVALID_NAME, f"invalid asset filename {display_path(filename)!r}")
        elif size == 0:
            _reject(selection, local, filename, EMPTY, "the file is empty (0 bytes)")
        elif size > max_file_size:
            _reject(selection, local, filename, TOO_LARGE, f"{size:,} bytes is over the {max_file_size:,}-byte limit")
        elif filename in seen:
            _reject(selection, local, filename, DUPLICATE, f"same asset filename as {seen[filename]}")
        else:
            seen[filename] = local
            selection.order.append(local)
            mime = MIME_BY_EXTENSION[path.suffix.lower()]
            selection.files.append(LocalFile(path, local, filename, size, mime, entry.crc32c, entry.custom_metadata))
    if not selection.order:
        raise ViValidationError("the manifest lists no files")
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
