"""Sub-commands of `vi-ext` (registered on `vi_ext.cli.main`); `serve`/`org` come from vi-ext-server."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from vi_ext.cli_confirm import SHOWN, Plan, destructive_options, go_ahead
from vi_ext.cli_output import human_bytes
from vi_ext.cli_support import EXIT_FAILED_FILES, State, handled, output_options, pass_state
from vi_ext.enums import SortCriterion, SortOrder
from vi_ext.errors import ViUploadError
from vi_ext.failed_manifest import write_failed_manifest
from vi_ext.files import display_path
from vi_ext.models import Asset, AssetIngestionSession, Dataset
from vi_ext.results import AssetUploadResult
from vi_ext.types import AssetSortCriterion, PaginationParams

SKIP_EXISTING_HINT = "run the same command with --skip-existing to resume"
commands = click.Group("commands")  # a registry only (vi_ext.cli adds its commands to `main`): never invoked
SORTS = {c.value: c for c in SortCriterion} | {c.name.lower(): c for c in SortCriterion}


def dataset_json(d: Dataset) -> dict[str, Any]:
    """Documented keys of a dataset."""
    return {"dataset_id": d.dataset_id, "name": d.name, "asset_total": d.statistic.asset_total,
            "description": d.description, "create_date": d.create_date}  # fmt: skip


def asset_json(a: Asset) -> dict[str, Any]:
    """Documented keys of an asset."""
    out = {"asset_id": a.asset_id, "filename": a.filename, "file_size": a.metadata.file_size,
           "width": a.metadata.width, "height": a.metadata.height, "mime_type": a.metadata.mime_type,
           "hash": a.metadata.hash.contents, "custom_metadata": a.metadata.custom_metadata}  # fmt: skip
    if a.contents and a.contents.asset:
        out["url"] = a.contents.asset.url
    return out


def session_json(s: AssetIngestionSession) -> dict[str, Any]:
    """Documented keys of an ingestion session."""
    pc = s.status.progressCount
    return {"session_id": s.asset_ingestion_session_id, "finished": s.is_finished, "total": pc.total,
            "succeeded": pc.succeeded, "errored": pc.errored, "errors": s.status.errors()}  # fmt: skip


def when(ms: int | None) -> str:
    """A millisecond timestamp as readable UTC."""
    if not ms:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def asset_rows(assets: list[Asset]) -> list[list[Any]]:
    """Rows of the assets table: filename, asset id, size, pixels, type."""
    return [[a.filename, a.asset_id, a.metadata.file_size, f"{a.metadata.width}x{a.metadata.height}",
             a.metadata.mime_type] for a in assets]  # fmt: skip


def assets_table(assets: list[Asset]) -> Table:
    """A rich table of assets (for terminals, e.g. `make demo`; the CLI prints through `State.table`)."""
    table = Table(title=f"{len(assets)} assets")
    for i, column in enumerate(("filename", "asset id", "size", "pixels", "type")):
        table.add_column(column, justify="right" if i in (2, 3) else "left", no_wrap=True)
    for row in asset_rows(assets):
        table.add_row(*(str(v) for v in row))
    return table


def upload_summary(result: AssetUploadResult, seconds: float) -> list[str]:
    """The human summary of an upload: outcome, skipped files, duration and throughput."""
    return [
        f"{result.total_succeeded} of {result.total_files} files succeeded, {result.total_failed} failed"
        + (f", {result.total_processing} still processing" if result.total_processing else "")
        + f" ({len(result.sessions)} session{'s' if len(result.sessions) != 1 else ''})",
        f"skipped: {len(result.skipped_files)} (unsupported extension), "
        f"{len(result.existing_files)} already in the dataset",
        f"sent {human_bytes(result.bytes_sent)} in {seconds:.1f} s "
        f"({human_bytes(result.bytes_sent / seconds if seconds else 0)}/s)",
    ] + (
        [f"{len(result.overwritten_files)} replaced (asset filename already in the dataset)"]
        if result.overwritten_files
        else []
    )


# ---------------------------------------------------------------- datasets
@commands.group()
def datasets() -> None:
    """Datasets: create, ls, get."""


@datasets.command("create")
@click.argument("name")
@click.option("--id", "dataset_id", default=None, help="Fix the dataset id.")
@click.option("--description", default="")
@output_options
@pass_state
@handled
def datasets_create(state: State, name: str, dataset_id: str | None, description: str) -> None:
    """Create a dataset."""
    d = state.client.datasets.create(name, dataset_id=dataset_id, description=description)
    state.out(dataset_json(d), lambda: click.echo(f"created dataset {d.dataset_id} ({d.name})"))


@datasets.command("ls")
@output_options
@pass_state
@handled
def datasets_ls(state: State) -> None:
    """List datasets."""
    found = [d for page in state.client.datasets.list(PaginationParams(page_size=100)) for d in page.items]
    rows = [[d.dataset_id, d.name, d.statistic.asset_total] for d in found]
    state.table([dataset_json(d) for d in found], f"{len(found)} datasets", ["dataset id", "name", "assets"], rows,
                frozenset({2}))  # fmt: skip


@datasets.command("get")
@click.argument("dataset_id")
@output_options
@pass_state
@handled
def datasets_get(state: State, dataset_id: str) -> None:
    """Show one dataset."""
    d = state.client.datasets.get(dataset_id)
    state.record(dataset_json(d), {**dataset_json(d), "create_date": when(d.create_date)})


# ---------------------------------------------------------------- assets
def scale_options(command: Any) -> Any:
    """``--engine``, ``--scheduler`` and ``--shard-size``: run the transfer in shards (`vi_ext.distributed`)."""
    for option in (
        click.option("--engine", type=click.Choice(["dask", "local"]), default=None,
                     help="Run in shards on a Dask cluster or local processes (vi_ext.distributed)."),
        click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="With --engine dask: a scheduler address (default: a new local cluster)."),
        click.option("--shard-size", type=click.IntRange(1, 10_000), default=10_000, show_default=True,
                     help="With --engine: the most files per shard."),
    ):  # fmt: skip
        command = option(command)
    return command


def check_scale(engine: str | None, scheduler: str | None) -> None:
    """``--scheduler`` needs ``--engine dask``.

    Raises:
        click.UsageError: It was given without.
    """
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")


@commands.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--dataset", "dataset_id", required=True)
@click.option("--failure-mode", type=click.Choice(["FailAfterOne", "FailAfterAll"]), default="FailAfterAll",
              show_default=True)  # fmt: skip
@click.option("--no-wait", is_flag=True, help="Return once the bytes are sent.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=10_000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 256), default=None, help="Concurrent transfers (default 16).")
@click.option("--skip-existing", is_flag=True, help="Skip files already in the dataset (same name, size and hash).")
@click.option("--prefix", default=None, help="Put before every asset filename, e.g. train/cat/.")
@click.option("--include", multiple=True, metavar="GLOB", help="Only files matching (repeatable), e.g. '*.jpg'.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Leave files matching out (repeatable).")
@click.option("--dry-run", is_flag=True, help="Send nothing: list what would be uploaded, skipped and rejected.")
@click.option("--manifest", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Upload the files a JSON Lines manifest lists (instead of PATHS).")  # fmt: skip
@click.option("--failed-manifest", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the files that failed as a manifest (re-send them with --manifest).")  # fmt: skip
@click.option("--write-manifest", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="With --dry-run: also write the files PATHS select as a manifest (for --manifest).")  # fmt: skip
@click.option("--ledger", "ledger_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="With --engine: record finished shards here; a re-run skips them.")  # fmt: skip
@scale_options
@output_options
@pass_state
@handled
def upload(state: State, paths: tuple[Path, ...], dataset_id: str, failure_mode: str, no_wait: bool,
           batch_size: int, workers: int | None, skip_existing: bool, prefix: str | None, include: tuple[str, ...],
           exclude: tuple[str, ...], dry_run: bool, manifest: Path | None, failed_manifest: Path | None,
           write_manifest: Path | None, ledger_dir: Path | None, engine: str | None, scheduler: str | None, shard_size: int) -> None:  # fmt: skip
    """Upload files and folders (recursively), or the files a manifest lists.

    \b
    Examples:
      vi-ext upload ./photos extra.jpg --dataset pets --workers 32
      vi-ext upload ./photos --dataset pets --include '*.jpg' --exclude 'raw/**' --dry-run
      vi-ext upload ./photos --dataset pets --dry-run --write-manifest plan.jsonl
      vi-ext upload ./photos --dataset pets --failed-manifest failed.jsonl
      vi-ext upload --manifest failed.jsonl --dataset pets
      vi-ext upload ./photos --dataset pets --engine dask --shard-size 5000
    """
    if bool(paths) == (manifest is not None):
        raise click.UsageError("give PATHS or --manifest FILE (one of them)")
    check_scale(engine, scheduler)
    if write_manifest is not None and (not dry_run or manifest is not None):
        raise click.UsageError("--write-manifest goes with --dry-run and PATHS")
    state.resume = SKIP_EXISTING_HINT
    started = time.monotonic()
    try:
        if engine is not None and not dry_run:
            from vi_ext import distributed

            result = distributed.upload(
                dataset_id, manifest if manifest is not None else [str(p) for p in paths],
                config_file=state.config_file, engine=engine, scheduler=scheduler, shard_size=shard_size,
                include=include, exclude=exclude, prefix=prefix or "", ledger_dir=ledger_dir,
                wait_until_done=not no_wait, failure_mode=failure_mode, batch_size=batch_size, max_workers=workers,
                client_options=state.worker_client_options(),
            )  # fmt: skip
        else:
            result = state.client.assets.upload(
                dataset_id, [str(p) for p in paths] if paths else None, wait_until_done=not no_wait,
                failure_mode=failure_mode, batch_size=batch_size, max_workers=workers,
                show_progress=state.show_progress, skip_existing=skip_existing, prefix=prefix, progress=state.track,
                include=include, exclude=exclude, dry_run=dry_run, manifest=manifest,
            )  # fmt: skip
    except ViUploadError as exc:  # stopped midway: what failed so far still goes to --failed-manifest
        if failed_manifest is not None and exc.result is not None:
            write_failed_manifest(failed_manifest, exc.result, manifest)
        raise
    seconds = time.monotonic() - started
    written = None
    if failed_manifest is not None and not dry_run:
        written = write_failed_manifest(failed_manifest, result, manifest)
    payload = {
        "dataset_id": dataset_id, "total_files": result.total_files, "succeeded": result.total_succeeded,
        "failed": result.total_failed, "processing": result.total_processing, "session_ids": result.session_ids,
        "failures": [f.__dict__ for f in result.failures], "skipped": result.skipped_files,
        "skip_reasons": result.skip_reasons,
        "existing": result.existing_files, "bytes_sent": result.bytes_sent, "seconds": round(seconds, 3),
        "replaced": len(result.overwritten_files), "overwritten_files": result.overwritten_files,
        "cause": result.cause.__dict__ if result.cause else None,
        "dry_run": result.dry_run, "would_upload": result.would_upload,
    }  # fmt: skip
    if written is not None:
        payload["failed_manifest"] = {"path": str(failed_manifest), "entries": written}
    planned = 0
    if write_manifest is not None:
        from vi_ext.distributed.plan import write_selection

        planned = entries = write_selection(write_manifest, [str(p) for p in paths], include=include, exclude=exclude,
                                  prefix=prefix or "")  # fmt: skip
        payload["manifest"] = {"path": str(write_manifest), "entries": entries}

    def show() -> None:
        if result.dry_run:
            click.echo(result.summary())
            if write_manifest is not None:
                click.echo(f"{planned} file(s) written to {write_manifest} (upload: --manifest)")
            return
        for line in [*upload_summary(result, seconds), *result.cause_lines()]:  # the cause before the list
            click.echo(line)
        for f in result.failures:  # plain lines: never wrapped, easy to grep
            click.echo(f"FAILED {display_path(f.path)} [{f.code}] {f.message}")
        if written is not None:
            click.echo(f"{written} failed file(s) written to {failed_manifest} (re-send: --manifest {failed_manifest})")

    state.out(payload, show)
    if result.total_failed and not result.dry_run:
        sys.exit(EXIT_FAILED_FILES)


@commands.command()
@click.argument("session_id")
@click.option("--dataset", "dataset_id", required=True)
@click.option("--timeout", type=float, default=3600.0, show_default=True)
@output_options
@pass_state
@handled
def wait(state: State, session_id: str, dataset_id: str, timeout: float) -> None:
    """Wait for an ingestion session to finish."""
    session = state.client.assets.wait_until_done(dataset_id, session_id, timeout=timeout)
    payload = session_json(session)
    fields = {k: v for k, v in payload.items() if k != "errors"}

    def show() -> None:
        state.record(payload, fields)
        for filename, code in payload["errors"].items():
            click.echo(f"FAILED {filename} [{code}]")

    state.out(payload, show)
    if session.status.progressCount.errored:
        sys.exit(EXIT_FAILED_FILES)


@commands.command("ls")
@click.option("--dataset", "dataset_id", required=True)
@click.option("--sort", type=click.Choice(sorted(SORTS)), default=None)
@click.option("--desc", is_flag=True, help="Descending order.")
@click.option("--filter", "filter_criteria", default=None, help='JSON filter, e.g. \'{"filename": "cat"}\'.')
@click.option("--limit", type=click.IntRange(1), default=None, help="At most N assets.")
@output_options
@pass_state
@handled
def ls(state: State, dataset_id: str, sort: str | None, desc: bool, filter_criteria: str | None,
       limit: int | None) -> None:  # fmt: skip
    """List assets (all pages, or --limit N)."""
    order = SortOrder.DESC if desc else SortOrder.ASC
    sort_by = AssetSortCriterion(SORTS[sort], order) if sort else None
    pages = state.client.assets.list(dataset_id, pagination=PaginationParams(page_size=min(limit or 1000, 1000)),
                                     sort_by=sort_by, filter_criteria=filter_criteria)  # fmt: skip
    assets = list(islice(pages.all_items(), limit))
    state.table([asset_json(a) for a in assets], f"{len(assets)} assets",
                ["filename", "asset id", "size", "pixels", "type"], asset_rows(assets), frozenset({2, 3}))  # fmt: skip


@commands.command()
@click.argument("asset_id")
@click.option("--dataset", "dataset_id", required=True)
@click.option("--contents", is_flag=True, help="Include a signed download URL.")
@output_options
@pass_state
@handled
def get(state: State, asset_id: str, dataset_id: str, contents: bool) -> None:
    """Show one asset."""
    a = state.client.assets.get(dataset_id, asset_id, contents=contents)
    url = f"\n  url:         {asset_json(a)['url']}" if contents else ""
    if state.output == "tsv":
        state.record(asset_json(a), asset_json(a))
    else:
        state.out(asset_json(a), lambda: click.echo(a.describe() + url))


@commands.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--dataset", "dataset_id", required=True)
@click.option("--overwrite", is_flag=True, help="Download even files already present and verified.")
@click.option("--workers", type=click.IntRange(1, 256), default=None)
@click.option(
    "--filter", "filter_criteria", default=None, help='Only assets a JSON filter selects, e.g. \'{"filename": "cat"}\'.'
)
@click.option("--include", multiple=True, metavar="GLOB", help="Only assets whose filename matches (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Leave assets whose filename matches out (repeatable).")
@click.option("--dry-run", is_flag=True, help="Fetch nothing: list what would be fetched.")
@scale_options
@output_options
@pass_state
@handled
def download(state: State, directory: Path, dataset_id: str, overwrite: bool, workers: int | None,
             filter_criteria: str | None, include: tuple[str, ...], exclude: tuple[str, ...], dry_run: bool,
             engine: str | None, scheduler: str | None, shard_size: int) -> None:  # fmt: skip
    """Download every asset (or those --filter/--include select) to DIRECTORY/<dataset>/<filename> (verified)."""
    check_scale(engine, scheduler)
    state.resume = "run the same command again to resume (files already there are verified and skipped)"
    if engine is not None and not dry_run:
        from vi_ext import distributed

        r = distributed.download(
            dataset_id, directory, config_file=state.config_file, engine=engine, scheduler=scheduler,
            shard_size=shard_size, filter_criteria=filter_criteria, include=include, exclude=exclude,
            overwrite=overwrite, max_workers=workers, client_options=state.worker_client_options(),
        )  # fmt: skip
    else:
        r = state.client.assets.download(
            dataset_id, directory, overwrite=overwrite, show_progress=state.show_progress, max_workers=workers,
            progress=state.track, filter_criteria=filter_criteria, include=include, exclude=exclude, dry_run=dry_run,
        )  # fmt: skip
    payload = {"dataset_id": r.dataset_id, "save_dir": str(r.save_dir), "count": r.count, "downloaded": r.downloaded,
               "skipped": r.skipped, "failed": r.failed, "failures": [f.__dict__ for f in r.failures],
               "dry_run": r.dry_run, "would_fetch": r.would_fetch}  # fmt: skip
    state.out(payload, lambda: click.echo(r.summary()))
    if r.failed:
        sys.exit(EXIT_FAILED_FILES)


@commands.command()
@click.argument("asset_ids", nargs=-1)
@click.option("--dataset", "dataset_id", required=True)
@click.option("--all", "delete_all", is_flag=True, help="Delete every asset (or those --filter selects).")
@click.option("--filter", "filter_criteria", default=None, help="With --all: a JSON filter.")
@destructive_options
@output_options
@pass_state
@handled
def rm(state: State, asset_ids: tuple[str, ...], dataset_id: str, delete_all: bool, filter_criteria: str | None,
       yes: bool, dry_run: bool) -> None:  # fmt: skip
    """Delete assets by id, or --all (optionally --filter).

    --all asks for confirmation on a terminal and needs --yes without one; --dry-run shows how
    many assets (and which) would be deleted.
    """
    if delete_all == bool(asset_ids):
        raise click.UsageError("give ASSET_ID... or --all, not both")
    if filter_criteria and not delete_all:
        raise click.UsageError("--filter goes with --all")
    if delete_all:
        plan = bulk_delete_plan(state, dataset_id, filter_criteria)
        if not go_ahead(state.output, state.quiet, plan, yes=yes, dry_run=dry_run):
            return
        session = state.client.datasets.bulk_delete_assets(dataset_id, filter_criteria=filter_criteria)
        message = next((c.message for c in session.conditions if c.message), "done")
        payload: dict[str, Any] = {"dataset_id": dataset_id, "bulk_delete_session_id":
                                   session.delete_many_assets_session_id, "finished": session.is_finished}  # fmt: skip
        state.out(payload, lambda: click.echo(f"bulk delete finished: {message}"))
        return
    if dry_run:  # explicit ids: nothing to confirm, but --dry-run still changes nothing
        go_ahead(state.output, state.quiet, Plan("delete", "assets", f"of dataset {dataset_id}", len(asset_ids),
                                                 list(asset_ids)), yes=yes, dry_run=True)  # fmt: skip
        return
    deleted = [state.client.assets.delete(dataset_id, asset_id).asset_id for asset_id in asset_ids]
    state.out({"dataset_id": dataset_id, "deleted": deleted}, lambda: click.echo(f"deleted {len(deleted)} asset(s)"))


def bulk_delete_plan(state: State, dataset_id: str, filter_criteria: str | None) -> Plan:
    """How many assets ``rm --all`` (with its filter) would delete, and the first names."""
    pages = state.client.assets.list(dataset_id, pagination=PaginationParams(page_size=1000),
                                     filter_criteria=filter_criteria)  # fmt: skip
    count, first = 0, list[str]()
    for asset in pages.all_items():
        count += 1
        if len(first) < SHOWN:
            first.append(asset.filename)
    where = f"of dataset {dataset_id}" + (f" matching {filter_criteria}" if filter_criteria else "")
    return Plan("delete", "assets", where, count, first)
