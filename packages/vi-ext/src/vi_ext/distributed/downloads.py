"""Sharded downloads: the driver lists the (filtered) dataset once, workers fetch one shard each."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vi_ext import models as m
from vi_ext.distributed.engines import Engine, make_engine
from vi_ext.distributed.plan import check_client_options
from vi_ext.distributed.planner import ShardIndex, bucket_counts, plan_prefixes
from vi_ext.download_paths import check_root, remove_leftovers
from vi_ext.errors import ViError
from vi_ext.results import AssetDownloadResult, DownloadFailure
from vi_ext.selection import FileFilter
from vi_ext.wire import short_dataset_id


@dataclass(frozen=True)
class DownloadTask:
    """One shard of a download: its assets (listed with signed URLs) and where they go."""

    key: str
    dataset_id: str
    assets: tuple[m.Asset, ...]
    root: str
    config_file: str | None
    overwrite: bool
    max_workers: int | None
    client_options: dict[str, Any] = field(default_factory=dict)


def download_shard(task: DownloadTask) -> AssetDownloadResult:
    """Download one shard (runs on a worker): its own client, credentials read there.

    Args:
        task: The shard.

    Returns:
        The shard's result (expired URLs are refreshed by the downloader, per asset).
    """
    from vi_ext.client import Client  # on the worker: nothing of the driver's client is pickled

    with Client(config_file=task.config_file, **task.client_options) as client:
        return client.assets.download_assets(
            task.dataset_id, Path(task.root), iter(task.assets), total=len(task.assets), overwrite=task.overwrite,
            max_workers=task.max_workers, clean_leftovers=False,
        )  # fmt: skip


def deal(assets: Iterable[m.Asset], shard_size: int) -> list[tuple[str, list[m.Asset]]]:
    """Deal assets into shards by filename hash (pure): ``(label, assets)`` per non-empty shard.

    Raises:
        ViValidationError: ``shard_size`` is out of range.
    """
    listed = list(assets)
    prefixes = plan_prefixes(bucket_counts(a.filename for a in listed), shard_size)
    index = ShardIndex(prefixes)
    shards: dict[str, list[m.Asset]] = {p.label: [] for p in prefixes}
    for asset in listed:
        shards[index.shard_of(asset.filename).label].append(asset)
    return [(label, items) for label, items in shards.items() if items]


def merge(dataset_id: str, root: Path, results: Iterable[AssetDownloadResult]) -> AssetDownloadResult:
    """One report from the shards' results (pure)."""
    merged = AssetDownloadResult(dataset_id, root, 0, 0, 0, 0, [])
    for r in results:
        merged.count += r.count
        merged.downloaded += r.downloaded
        merged.skipped += r.skipped
        merged.failed += r.failed
        merged.failures.extend(r.failures)
    return merged


def _failed_shard(task: DownloadTask, exc: BaseException) -> AssetDownloadResult:
    """A shard that could not run at all: every one of its assets fails with the reason."""
    message = exc.message if isinstance(exc, ViError) else f"the shard did not finish: {exc}"
    failures = [DownloadFailure(a.asset_id, a.filename, message) for a in task.assets]
    return AssetDownloadResult(task.dataset_id, Path(task.root), len(failures), 0, 0, len(failures), failures)


def download(
    dataset_id: str,
    save_dir: str | os.PathLike[str],
    *,
    config_file: str | os.PathLike[str] | None = None,
    engine: str = "dask",
    dask_client: Any = None,
    scheduler: str | None = None,
    processes: int = 2,
    max_concurrent_shards: int | None = None,
    shard_size: int = 10_000,
    filter_criteria: str | dict[str, Any] | None = None,
    metadata_query: str | None = None,
    include: Iterable[str] | str | None = None,
    exclude: Iterable[str] | str | None = None,
    overwrite: bool = False,
    max_workers: int | None = None,
    client_options: dict[str, Any] | None = None,
) -> AssetDownloadResult:
    """Download a (filtered) dataset in shards on an engine, into ``save_dir/<dataset_id>``.

    The driver lists the selected assets once (with signed URLs) and deals them into shards by
    filename hash; each worker downloads its shard with the usual verified downloader, which
    refreshes URLs that expired while the shard waited.

    Args:
        dataset_id: The dataset (short id).
        save_dir: The folder; the dataset gets a sub-folder named by its short id. Workers must see
            it at the same path (one machine, or a shared file system).
        config_file: The credentials file the driver and workers read; ``None``: their environment.
        engine: ``"dask"`` or ``"local"`` (as for `vi_ext.distributed.upload`).
        dask_client: A connected ``distributed.Client`` to run on (not closed here).
        scheduler: A Dask scheduler address, when no ``dask_client`` is given.
        processes: Worker processes for a new local pool or cluster (0: in this process, for tests).
        max_concurrent_shards: Cluster-wide cap on shards running at once (Dask only).
        shard_size: The most assets per shard, 1 to 10 000.
        filter_criteria: Only the assets this filter selects (as for ``assets.list``).
        metadata_query: Only the assets this metadata query selects.
        include: Only assets whose filename matches one of these globs.
        exclude: Leave out assets whose filename matches one of these globs.
        overwrite: Fetch again even files already present and verified.
        max_workers: Concurrent transfers per shard.
        client_options: Keyword arguments of each worker's ``Client`` (``endpoint``, ``timeout``,
            ``max_retries``, ``max_workers``, ``proxy``; no credentials).

    Returns:
        One merged `AssetDownloadResult`.

    Raises:
        ViNotFoundError: No such dataset.
        ViDownloadError: ``save_dir/<dataset_id>`` is a symbolic link.
        ViConfigurationError: ``engine="dask"`` without Dask installed.
    """
    from vi_ext.client import Client

    config = None if config_file is None else os.fspath(config_file)
    worker_client = check_client_options(client_options)
    rules = FileFilter.build(include, exclude, default_excludes=False)
    with Client(config_file=config, **worker_client) as client:
        short = short_dataset_id(dataset_id, client.organization_id)
        assets = client.assets.selected(dataset_id, filter_criteria, metadata_query, rules, contents=True)
        shards = deal(assets, shard_size)
    root = Path(save_dir).expanduser() / short
    check_root(root)
    root.mkdir(parents=True, exist_ok=True)
    remove_leftovers(root)  # once, here: the shards write side by side under root
    tasks = [DownloadTask(label, dataset_id, tuple(items), os.fspath(root), config, overwrite, max_workers,
                          worker_client) for label, items in shards]  # fmt: skip
    if not tasks:
        return merge(short, root, ())
    runner: Engine = make_engine(
        engine, dask_client=dask_client, scheduler=scheduler, processes=processes,
        max_concurrent_shards=max_concurrent_shards,
    )  # fmt: skip
    run_id = uuid.uuid4().hex[:12]  # engine keys are unique per run: two downloads may share a cluster
    by_key = {f"vi-dl-{run_id}-{t.key}": t for t in tasks}
    results: dict[str, AssetDownloadResult] = {}
    try:
        for key, outcome in runner.run(download_shard, tasks, list(by_key)):
            task = by_key[key]
            results[task.key] = outcome if isinstance(outcome, AssetDownloadResult) else _failed_shard(task, outcome)
    finally:
        runner.close()
    return merge(short, root, (results[t.key] for t in tasks if t.key in results))


__all__ = ["deal", "download", "download_shard", "merge"]
