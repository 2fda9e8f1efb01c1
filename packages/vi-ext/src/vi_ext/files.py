"""Which local files an upload takes, and the asset filename each one gets (no network)."""

from __future__ import annotations

import bisect
import hashlib
import heapq
import os
import stat
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeAlias

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


Item: TypeAlias = "LocalFile | Rejected | Skipped"
"""One thing discovery yields, in input order (a `Skipped` folder after the files of its root)."""


class NameSet:
    """The asset filenames (or local paths) seen so far, in about 8 bytes each instead of the text.

    Each name is kept as a 64-bit BLAKE2b hash: recent ones in a set, older ones merged into a
    sorted ``array`` (searched by bisection), so a million names take ~8 MB. Two different
    names share a hash with a probability of about ``n**2 / 2**65`` (3e-8 for a million files),
    the only way a name could be taken for a duplicate wrongly.
    """

    def __init__(self) -> None:
        self._sorted = array("Q")
        self._recent: set[int] = set()

    def add(self, name: str) -> bool:
        """Record ``name``; ``False`` when it was seen before.

        Args:
            name: The name (lone surrogates from undecodable file names are fine).

        Returns:
            Whether ``name`` is new.
        """
        digest = hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        key = int.from_bytes(digest, "big")
        if key in self._recent:
            return False
        at = bisect.bisect_left(self._sorted, key)
        if at < len(self._sorted) and self._sorted[at] == key:
            return False
        self._recent.add(key)
        if len(self._recent) >= 1 << 16:  # a merge every 65 536 names: memory stays ~8 bytes a name
            self._sorted = array("Q", heapq.merge(self._sorted, sorted(self._recent)))
            self._recent = set()
        return True


def collect(items: Iterable[Item]) -> Selection:
    """Gather a stream of items into a `Selection` (for dry runs and plans; an upload streams them)."""
    selection = Selection([], [], [], [])
    for item in items:
        if isinstance(item, Skipped):
            selection.skipped.append(item)
            continue
        selection.order.append(item.local)
        if isinstance(item, LocalFile):
            selection.files.append(item)
        else:
            selection.rejected.append(item)
    return selection


def selection_items(selection: Selection) -> Iterator[Item]:
    """The items of a `Selection` again, files and rejections in input order, then the skipped."""
    by_local: dict[str, list[LocalFile | Rejected]] = {}
    for file in selection.files:
        by_local.setdefault(file.local, []).append(file)
    for rejected in selection.rejected:
        by_local.setdefault(rejected.local, []).append(rejected)
    for local in selection.order:
        queue = by_local.get(local)
        if queue:
            yield queue.pop(0)
    yield from selection.skipped


def discover(paths: PathsArg, max_file_size: int, prefix: str = "", rules: FileFilter | None = None) -> Selection:
    """Expand files and folders into a `Selection` (see `iter_discover`).

    Raises:
        ViValidationError: a path is missing, or nothing is found.
    """
    return collect(iter_discover(paths, max_file_size, prefix, rules))


def iter_discover(
    paths: PathsArg, max_file_size: int, prefix: str = "", rules: FileFilter | None = None
) -> Iterator[Item]:
    """Expand files and folders lazily; ``prefix`` (already validated) goes before every asset filename.

    Files found in folders pass ``rules`` (include/exclude globs and the default excludes, see
    `vi_ext.selection`); a file given directly is always taken. Every file left out is yielded as
    a `Skipped` with its reason (a pruned hidden folder counts as one entry). Folders are walked
    in sorted order one at a time, so memory does not grow with the number of files.

    Raises:
        ViValidationError: a path is missing or not a file or folder (at once, before anything is
            yielded), or nothing is found (when the stream ends).
    """
    entries = as_path_list(paths)
    if not entries:
        raise ViValidationError("no paths given")
    for entry in entries:
        root = Path(entry).expanduser()
        if not root.exists():
            raise ViValidationError(f"path not found: {entry}")
        if not root.is_dir() and not root.is_file():
            raise ViValidationError(f"not a file or folder: {entry}")
    return _discovered(entries, max_file_size, prefix, rules or FileFilter())


def _discovered(entries: list[str], max_file_size: int, prefix: str, rules: FileFilter) -> Iterator[Item]:
    seen = NameSet()
    found_any = False
    skip_reasons: dict[str, int] = {}
    for entry in entries:
        root = Path(entry).expanduser()
        pruned: list[Skipped] = []
        if root.is_dir():
            candidates: Iterable[tuple[str, str, bool, str | None, int | None]] = (
                (p, rel, False, why, size) for p, rel, why, size in _walk(root, rules, pruned)
            )
        else:
            candidates = [(str(root), root.name, True, None, _size(root))]
        for found, name, explicit, left_out, size in candidates:
            local = found if not explicit else entry
            if size == _LINKED_DIR:  # never followed (no loops), and not a file: not listed, as before
                continue
            filename = prefix + name
            if left_out is not None:
                skip_reasons[left_out] = skip_reasons.get(left_out, 0) + 1
                yield Skipped(local, left_out)
                continue
            suffix = _suffix(name)
            if suffix.lower() not in SUPPORTED_EXTENSIONS:
                reason = f"unsupported extension {suffix or '(none)'!r}"
                if explicit:
                    found_any = True
                    yield Rejected(local, filename, UNSUPPORTED, reason)
                else:
                    skip_reasons[reason] = skip_reasons.get(reason, 0) + 1
                    yield Skipped(local, reason)
                continue
            found_any = True
            rejected = _file_problem(filename, size, max_file_size)
            if rejected is not None:
                yield Rejected(local, filename, *rejected)
            elif not seen.add(filename):
                yield Rejected(local, filename, DUPLICATE, "same asset filename as an earlier file of this upload")
            else:
                assert size is not None
                yield LocalFile(Path(found), local, filename, size, MIME_BY_EXTENSION[suffix.lower()])
        for folder in pruned:
            skip_reasons[folder.reason] = skip_reasons.get(folder.reason, 0) + 1
            yield folder
    if not found_any:
        raise ViValidationError(f"no image files found in {', '.join(entries)}{_nothing_found(skip_reasons)}")


def _file_problem(filename: str, size: int | None, max_file_size: int) -> tuple[str, str] | None:
    """Why a found image file cannot be sent (code, message), or ``None`` (pure)."""
    if not _is_utf8(filename):
        return INVALID_NAME, f"the file name '{display_path(filename)}' is not valid UTF-8"
    if len(filename) > MAX_FILENAME:
        return INVALID_NAME, f"the asset filename is over {MAX_FILENAME} characters"
    if size is None:
        return UNREADABLE, "not a readable regular file"
    if size == 0:
        return EMPTY, "the file is empty (0 bytes)"
    if size > max_file_size:
        return TOO_LARGE, f"{size:,} bytes is over the {max_file_size:,}-byte limit"
    return None


def _nothing_found(skip_reasons: dict[str, int]) -> str:
    """The ``(…)`` tail of the "no image files found" error, from how many files each reason left out."""
    count = sum(skip_reasons.values())
    if not count:
        return ""
    if all(reason.startswith("unsupported extension") for reason in skip_reasons):
        return f" ({count} files with unsupported extensions)"
    return f" ({count} left out: {', '.join(f'{n} {reason}' for reason, n in skip_reasons.items())})"


def skip_counts(skipped: Iterable[Skipped]) -> str:
    """``"3 unsupported extension '.txt', 1 hidden or system folder…"``: how many files per reason."""
    counts: dict[str, int] = {}
    for s in skipped:
        counts[s.reason] = counts.get(s.reason, 0) + 1
    return ", ".join(f"{n} {reason}" for reason, n in counts.items())


def from_manifest(entries: Iterable[ManifestEntry], max_file_size: int, prefix: str = "") -> Selection:
    """The selection a manifest describes (see `iter_manifest`).

    Raises:
        ViValidationError: The manifest has no entries.
    """
    return collect(iter_manifest(entries, max_file_size, prefix))


def iter_manifest(entries: Iterable[ManifestEntry], max_file_size: int, prefix: str = "") -> Iterator[Item]:
    """The files a manifest describes, one per entry, each checked against the disk, lazily.

    A missing file is `MISSING`, one whose size differs from the manifest's is `CHANGED` (a
    differing ``crc32c`` is found when the checksum is computed, before it is sent); the other
    checks are those of `discover`. A path listed again is skipped (its first line counts).
    Entries are read one at a time: a manifest of millions of lines is never held in memory.

    Args:
        entries: The manifest's entries (streamed once).
        max_file_size: Larger files are rejected.
        prefix: A validated prefix put before every entry's filename.

    Yields:
        One item per entry, in manifest order.

    Raises:
        ViValidationError: The manifest has no entries (when the stream ends).
    """
    seen = NameSet()
    locals_seen = NameSet()
    found_any = False
    for entry in entries:
        path = Path(entry.path).expanduser()
        local = str(path)
        filename = prefix + entry.filename
        if not locals_seen.add(local):  # one outcome per local path: the first line counts
            yield Skipped(local, "listed again in the manifest (the first line counts)")
            continue
        found_any = True
        size = _size(path)
        problem: tuple[str, str] | None = None
        if not path.exists():
            problem = MISSING, "the file is not there (listed in the manifest)"
        elif size is None:
            problem = UNREADABLE, "not a readable regular file"
        elif size != entry.size:
            problem = CHANGED, f"{size:,} bytes on disk, {entry.size:,} in the manifest"
        elif path.suffix.lower() not in SUPPORTED_EXTENSIONS:
            problem = UNSUPPORTED, f"unsupported extension {path.suffix or '(none)'!r}"
        elif not _is_utf8(filename) or len(filename) > MAX_FILENAME or safe_relative(filename) is None:
            problem = INVALID_NAME, f"invalid asset filename {display_path(filename)!r}"
        elif size == 0:
            problem = EMPTY, "the file is empty (0 bytes)"
        elif size > max_file_size:
            problem = TOO_LARGE, f"{size:,} bytes is over the {max_file_size:,}-byte limit"
        elif not seen.add(filename):
            problem = DUPLICATE, "same asset filename as an earlier file of this upload"
        if problem is not None:
            yield Rejected(local, filename, *problem)
            continue
        mime = MIME_BY_EXTENSION[path.suffix.lower()]
        assert size is not None
        yield LocalFile(path, local, filename, size, mime, entry.crc32c, entry.custom_metadata)
    if not found_any:
        raise ViValidationError("the manifest lists no files")


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
