"""The driver's side of a sharded upload: stream the selection, plan shards, build their tasks.

Two streamed passes over the selection (folders walked in sorted order, or a manifest read line
by line): the first counts names per hash bucket, the second deals each file into its shard.
The driver holds the bucket table plus the entries of every pending shard (a few hundred bytes a
file): the shards travel inline in their tasks, so workers need the files at the same paths but no
shared folder for the plan.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vi_ext.distributed.planner import Prefix, ShardIndex, bucket_counts, plan_prefixes, shard_key
from vi_ext.errors import ViValidationError
from vi_ext.files import HIDDEN_FOLDER, SUPPORTED_EXTENSIONS
from vi_ext.manifest import ManifestEntry, read_manifest
from vi_ext.selection import FileFilter, is_default_excluded

PathsOrManifest = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


@dataclass(frozen=True)
class ShardTask:
    """Everything one shard's worker needs; credentials travel as a config path, never as a key."""

    key: str
    dataset_id: str
    entries: tuple[ManifestEntry, ...]
    config_file: str | None
    options: dict[str, Any] = field(default_factory=dict)
    client_options: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments of each worker's ``Client`` (`WORKER_CLIENT_OPTIONS` only: no credentials)."""


# ``endpoint`` is not a secret: it overrides the source's endpoint as ``Client(endpoint=)`` does.
WORKER_CLIENT_OPTIONS = frozenset({"endpoint", "timeout", "max_retries", "max_workers", "proxy"})


def check_client_options(options: dict[str, Any] | None) -> dict[str, Any]:
    """The ``Client`` options workers may be given (never credentials, which stay on the workers).

    Raises:
        ViValidationError: Another key (e.g. ``secret_key``) is given.
    """
    given = dict(options or {})
    unknown = sorted(set(given) - WORKER_CLIENT_OPTIONS)
    if unknown:
        raise ViValidationError(
            f"client_options may hold only {sorted(WORKER_CLIENT_OPTIONS)}, not {unknown} "
            "(credentials come from config_file or the workers' environment)"
        )
    return given


def is_manifest(value: PathsOrManifest) -> bool:
    """Whether ``value`` names a manifest (one existing ``.jsonl`` file) rather than files to upload."""
    if not isinstance(value, str | os.PathLike):
        return False
    path = Path(value)
    return path.suffix.lower() == ".jsonl" and path.is_file()


def walk_entries(
    paths: PathsOrManifest, rules: FileFilter, prefix: str = "", skipped: dict[str, str] | None = None
) -> Iterator[ManifestEntry]:
    """Stream the files an upload of ``paths`` takes, as manifest entries (sorted walk, no symlinked dirs).

    Args:
        paths: Files and folders (a file given directly is always taken, whatever the rules).
        rules: Include/exclude rules for files found in folders.
        prefix: A validated prefix (``""`` or ending in ``/``) put before every asset filename.
        skipped: When given, gets ``local path -> reason`` for every file (and pruned hidden
            folder) left out, as `vi_ext.files.discover` reports them.

    Yields:
        One entry per file, size from ``stat``.

    Raises:
        ViValidationError: A path does not exist.
    """
    entries = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    for entry in entries:
        root = Path(entry).expanduser()
        if root.is_file():
            yield ManifestEntry(root, prefix + root.name, _size(root))
            continue
        if not root.is_dir():
            raise ViValidationError(f"path not found: {os.fspath(entry)}")
        for current, dirs, names in os.walk(root, followlinks=False):
            dirs.sort()
            rel_dir = Path(current).relative_to(root).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            if rules.default_excludes:  # never descend into .git, __MACOSX or other hidden folders
                for d in [d for d in dirs if is_default_excluded(d)]:
                    dirs.remove(d)
                    if skipped is not None:
                        skipped[str(Path(current, d))] = HIDDEN_FOLDER
            for name in sorted(names):
                relative = rel_dir + name
                path = Path(current, name)
                reason = rules.why_not(relative)
                if reason is None and path.suffix.lower() not in SUPPORTED_EXTENSIONS:
                    reason = f"unsupported extension {path.suffix or '(none)'!r}"
                if reason is None:
                    yield ManifestEntry(path, prefix + relative, _size(path))
                elif skipped is not None:
                    skipped[str(path)] = reason


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1  # the shard's upload reports it as unreadable, per file


def fingerprint(entry: ManifestEntry) -> str:
    """What says "same content" cheaply: the manifest's crc32c when given, else the mtime in ns."""
    if entry.crc32c is not None:
        return f"crc:{entry.crc32c}"
    try:
        return f"mtime:{entry.path.stat().st_mtime_ns}"
    except OSError:
        return "missing"


def plan_shards(
    source: Callable[[], Iterator[ManifestEntry]], shard_size: int
) -> Iterator[tuple[Prefix, list[ManifestEntry]]]:
    """Deal a selection into shards: a counting pass, then a dealing pass.

    Args:
        source: Starts a fresh stream of the selection (called twice).
        shard_size: The most files per shard.

    Yields:
        ``(region, entries)`` per non-empty shard, in hash order.

    Raises:
        ViValidationError: Bad ``shard_size``, or the selection changed between the two passes.
    """
    prefixes = plan_prefixes(bucket_counts(e.filename for e in source()), shard_size)
    index = ShardIndex(prefixes)
    shards: dict[Prefix, list[ManifestEntry]] = {p: [] for p in prefixes}
    for entry in source():
        try:
            shards[index.shard_of(entry.filename)].append(entry)
        except KeyError:
            raise ViValidationError(f"{entry.path} appeared while the upload was being planned; run it again") from None
    for prefix in prefixes:
        yield prefix, shards.pop(prefix)


def build_tasks(
    dataset_id: str,
    paths_or_manifest: PathsOrManifest,
    *,
    rules: FileFilter,
    prefix: str,
    shard_size: int,
    config_file: str | None,
    options: dict[str, Any],
    skipped: dict[str, str] | None = None,
) -> list[ShardTask]:
    """The shard tasks of one distributed upload, each keyed for the ledger.

    Args:
        dataset_id: The dataset (short id).
        paths_or_manifest: Files and folders, or one ``.jsonl`` manifest.
        rules: Include/exclude rules.
        prefix: A validated asset filename prefix.
        shard_size: The most files per shard.
        config_file: The credentials file workers read (``None``: their environment).
        options: Upload options passed to each shard's ``assets.upload``.
        skipped: When given, gets ``local path -> reason`` for the files the rules left out.

    Returns:
        The tasks, in hash order.

    Raises:
        ViValidationError: A path is missing, a manifest line is bad, or ``shard_size`` is out of range.
    """
    if is_manifest(paths_or_manifest):
        manifest = os.fspath(paths_or_manifest)  # type: ignore[arg-type]

        def source() -> Iterator[ManifestEntry]:
            for e in read_manifest(manifest):
                yield ManifestEntry(e.path, prefix + e.filename, e.size, e.crc32c, e.custom_metadata)

    else:
        passes = [0]

        def source() -> Iterator[ManifestEntry]:
            passes[0] += 1  # the skipped files are noted on the first pass only
            return walk_entries(paths_or_manifest, rules, prefix, skipped if passes[0] == 1 else None)

    tasks = []
    for region, entries in plan_shards(source, shard_size):
        key = shard_key(region, ((e.filename, e.size, fingerprint(e)) for e in entries))
        tasks.append(ShardTask(key, dataset_id, tuple(entries), config_file, options))
    return tasks


def write_selection(
    target: str | os.PathLike[str],
    paths: PathsOrManifest,
    *,
    include: Iterable[str] | str | None = None,
    exclude: Iterable[str] | str | None = None,
    prefix: str = "",
    skipped: dict[str, str] | None = None,
) -> int:
    """Write the files an upload of ``paths`` would take (the selection rules applied) as a manifest.

    Streamed: the folders are walked once and written line by line (atomically renamed into place).

    Args:
        target: The manifest to write.
        paths: Files and folders.
        include: Globs a file found in a folder must match.
        exclude: Globs that leave files out.
        prefix: Put before every asset filename (validated).
        skipped: When given, gets ``local path -> reason`` for every file left out.

    Returns:
        How many entries were written.

    Raises:
        ViValidationError: A bad pattern or prefix, or a missing path.
        ManifestError: The manifest cannot be written.
    """
    from vi_ext.files import normalize_prefix
    from vi_ext.manifest import write_manifest

    rules = FileFilter.build(include, exclude)
    return write_manifest(target, walk_entries(paths, rules, normalize_prefix(prefix), skipped))
