"""Sharded uploads: plan on the driver, one idempotent upload per shard on the engine, one merged result."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vi_ext.distributed.engines import Engine, make_engine
from vi_ext.distributed.ledger import Ledger
from vi_ext.distributed.plan import PathsOrManifest, ShardTask, build_tasks, check_client_options
from vi_ext.errors import ViError, ViValidationError
from vi_ext.files import normalize_prefix
from vi_ext.results import AssetUploadResult, FileFailure
from vi_ext.selection import FileFilter

SHARD_FAILED = "SHARD_FAILED"


def upload_shard(task: ShardTask) -> AssetUploadResult:
    """Upload one shard (runs on a worker): its own client, credentials read there, ``skip_existing``.

    Args:
        task: The shard.

    Returns:
        The shard's result (per-file failures included).
    """
    from vi_ext.client import Client  # on the worker: nothing of the driver's client is pickled

    with Client(config_file=task.config_file, **task.client_options) as client:
        return client.assets.upload(
            task.dataset_id, manifest=list(task.entries), skip_existing=True, show_progress=False, **task.options
        )


def _summary(result: AssetUploadResult) -> dict[str, Any]:
    """What the ledger keeps of a finished shard (JSON)."""
    return {
        "total_files": result.total_files,
        "succeeded": result.total_succeeded,
        "bytes_sent": result.bytes_sent,
        "session_ids": result.session_ids,
    }


def _failed_shard(task: ShardTask, exc: BaseException) -> AssetUploadResult:
    """A shard that could not run at all: every one of its files fails with the reason."""
    message = f"the shard did not finish: {exc}" if not isinstance(exc, ViError) else exc.message
    failures = [FileFailure(os.fspath(e.path), e.filename, SHARD_FAILED, message) for e in task.entries]
    return AssetUploadResult(sessions=[], total_files=len(task.entries), total_succeeded=0, failures=failures)


def merge(results: Iterable[AssetUploadResult], recorded: Iterable[dict[str, Any]] = ()) -> AssetUploadResult:
    """One report from the shards' results and the ledger records of shards skipped this time (pure).

    Args:
        results: Results of the shards that ran.
        recorded: Ledger summaries of shards that had finished before (counted as succeeded).

    Returns:
        The merged result; its failures keep each shard's order, shards in hash order.
    """
    merged = AssetUploadResult(sessions=[], total_files=0, total_succeeded=0, failures=[])
    for r in results:
        merged.sessions.extend(r.sessions)
        merged.total_files += r.total_files
        merged.total_succeeded += r.total_succeeded
        merged.failures.extend(r.failures)
        merged.skipped_files.extend(r.skipped_files)
        merged.existing_files.extend(r.existing_files)
        merged.skip_reasons.update(r.skip_reasons)
        merged.bytes_sent += r.bytes_sent
        merged.overwritten_files.extend(r.overwritten_files)
        merged.waited = merged.waited and r.waited
    for record in recorded:
        merged.total_files += int(record["total_files"])
        merged.total_succeeded += int(record["succeeded"])
    merged.cause = merged.failures[0] if merged.failures else None
    return merged


def upload(
    dataset_id: str,
    paths_or_manifest: PathsOrManifest,
    *,
    config_file: str | os.PathLike[str] | None = None,
    engine: str = "dask",
    dask_client: Any = None,
    scheduler: str | None = None,
    processes: int = 2,
    max_concurrent_shards: int | None = None,
    shard_size: int = 10_000,
    include: Iterable[str] | str | None = None,
    exclude: Iterable[str] | str | None = None,
    prefix: str = "",
    ledger_dir: str | os.PathLike[str] | None = None,
    client_options: dict[str, Any] | None = None,
    **upload_options: Any,
) -> AssetUploadResult:
    """Upload files in deterministic shards on an engine; each shard is one idempotent upload.

    Args:
        dataset_id: The dataset (short id).
        paths_or_manifest: Files and folders, or the path of one ``.jsonl`` manifest.
        config_file: The credentials file the workers read; ``None``: their environment
            (``DATATURE_VI_*``). Credentials are never pickled into the task graph.
        engine: ``"dask"`` (``dask_client``, ``scheduler`` address, or a new local cluster) or
            ``"local"`` (processes of this machine, no Dask needed).
        dask_client: A connected ``distributed.Client`` to run on (not closed here).
        scheduler: A Dask scheduler address, when no ``dask_client`` is given.
        processes: Worker processes for a new local pool or cluster (0: in this process, for tests).
        max_concurrent_shards: Cluster-wide cap on shards running at once (Dask: a
            ``distributed.Semaphore``), so requests in flight stay under this times ``max_workers``.
        shard_size: The most files per shard (and so per ingestion session), 1 to 10 000.
        include: Globs a file found in a folder must match (see the README's "Selecting files").
        exclude: Globs that leave files out.
        prefix: Put before every asset filename (``"train/cat/"``).
        ledger_dir: Where finished shards are recorded (under a folder per dataset); a re-run skips
            them with no server call. ``None``: no ledger (a re-run still sends nothing already
            there, but asks the server per batch).
        client_options: Keyword arguments of each worker's ``Client``: ``endpoint``, ``timeout``,
            ``max_retries``, ``max_workers``, ``proxy`` (no credentials).
        **upload_options: Passed to each shard's ``client.assets.upload`` (``failure_mode``,
            ``max_workers``, ``batch_size``…); ``skip_existing`` is always on.

    Returns:
        One merged `AssetUploadResult`. Shards skipped through the ledger count as succeeded.

    Raises:
        ViValidationError: A bad argument, a missing path or a bad manifest line (before anything is sent).
        ViConfigurationError: ``engine="dask"`` without Dask installed.
    """
    for reserved in ("skip_existing", "manifest", "show_progress"):
        if reserved in upload_options:
            raise ViValidationError(f"{reserved}= is set by distributed.upload itself")
    worker_client = check_client_options(client_options)
    skipped: dict[str, str] = {}
    tasks = build_tasks(
        dataset_id, paths_or_manifest, rules=FileFilter.build(include, exclude), prefix=normalize_prefix(prefix),
        shard_size=shard_size, config_file=None if config_file is None else os.fspath(config_file),
        options=upload_options, skipped=skipped,
    )  # fmt: skip
    tasks = [dataclasses.replace(t, client_options=worker_client) for t in tasks]
    ledger = None if ledger_dir is None else Ledger(Path(ledger_dir, dataset_id))
    recorded = [r for t in tasks if ledger and (r := ledger.load(t.key)) is not None]
    todo = [t for t in tasks if ledger is None or ledger.load(t.key) is None]
    if not todo:
        return _with_skipped(merge((), recorded), skipped)
    runner: Engine = make_engine(
        engine, dask_client=dask_client, scheduler=scheduler, processes=processes,
        max_concurrent_shards=max_concurrent_shards,
    )  # fmt: skip
    by_key = {t.key: t for t in todo}
    results: dict[str, AssetUploadResult] = {}
    try:
        for key, outcome in runner.run(upload_shard, todo, [t.key for t in todo]):
            if isinstance(outcome, AssetUploadResult):
                results[key] = outcome
                if ledger is not None and not outcome.failures and outcome.is_complete:
                    ledger.record(key, _summary(outcome))
            else:
                results[key] = _failed_shard(by_key[key], outcome)
    finally:
        runner.close()
    return _with_skipped(merge((results[t.key] for t in todo if t.key in results), recorded), skipped)


def _with_skipped(result: AssetUploadResult, skipped: dict[str, str]) -> AssetUploadResult:
    """Add the files the driver's walk left out (never silently dropped)."""
    result.skipped_files.extend(skipped)
    result.skip_reasons.update(skipped)
    return result


__all__ = ["merge", "upload", "upload_shard"]
