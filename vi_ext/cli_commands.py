"""Sub-commands of `vi-ext` (registered on `vi_ext.cli.main`)."""

from __future__ import annotations

import json
import sys
from itertools import islice
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from vi_ext.cli import EXIT_FAILED_FILES, State, handled, main, pass_state
from vi_ext.enums import SortCriterion, SortOrder
from vi_ext.models import Asset, AssetIngestionSession, Dataset
from vi_ext.types import AssetSortCriterion, PaginationParams

console = Console()
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


def assets_table(assets: list[Asset]) -> Table:
    """A table of assets."""
    table = Table(title=f"{len(assets)} assets")
    for column in ("filename", "asset id", "size", "pixels", "type"):
        right = column in ("size", "pixels")
        table.add_column(column, justify="right" if right else "left", overflow="fold", no_wrap=column != "filename")
    for a in assets:
        m = a.metadata
        table.add_row(a.filename, a.asset_id, f"{m.file_size:,}", f"{m.width}x{m.height}", m.mime_type)
    return table


# ---------------------------------------------------------------- server
@main.command()
@click.option("--data-dir", type=click.Path(path_type=Path), required=True, help="Where the server keeps its data.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8765, show_default=True, help="0 picks a free port.")
@click.option("--ingestion-timeout", type=float, default=3600.0, show_default=True,
              help="Seconds before files that never arrived get ETIMEOUT.")  # fmt: skip
@click.option("--session-idle-timeout", type=float, default=600.0, show_default=True,
              help="Seconds without any upload after which a session is closed (its unsent files get ETIMEOUT).")  # fmt: skip
@click.option("--multipart-part-size", type=int, default=64 << 20, show_default=True,
              help="Bytes per multipart part (the server picks partCount from it).")  # fmt: skip
@click.option("--url-ttl", type=int, default=3600, show_default=True, help="Signed URL lifetime in seconds.")
@click.option("--faults", default="", help="Inject faults, e.g. 5xx=0.1,reset=0.05,429=0.02,truncate=0.05,slow=0.01.")
@click.option("--fault-seed", type=int, default=0, show_default=True, help="Seed of the fault layer.")
def serve(data_dir: Path, host: str, port: int, ingestion_timeout: float, session_idle_timeout: float,
          multipart_part_size: int, url_ttl: int, faults: str, fault_seed: int) -> None:  # fmt: skip
    """Run the reference server; writes DATA_DIR/credentials.json once bound.

    \b
    Example:
      vi-ext serve --data-dir ./vi-data --port 0
    """
    from vi_server.serve import serve as run
    from vi_server.state import ServerConfig

    config = ServerConfig(data_dir=data_dir, ingestion_timeout_seconds=ingestion_timeout,
                          session_idle_timeout_seconds=session_idle_timeout, multipart_part_size=multipart_part_size,
                          url_ttl_seconds=url_ttl, faults=faults, fault_seed=fault_seed)  # fmt: skip
    run(config, host=host, port=port)


@main.group()
def org() -> None:
    """Organizations of a reference server."""


@org.command("create")
@click.option("--data-dir", type=click.Path(path_type=Path), required=True)
def org_create(data_dir: Path) -> None:
    """Create an organization; print its credentials JSON (works while the server runs)."""
    from vi_server.serve import create_organization

    click.echo(json.dumps(create_organization(data_dir), indent=2))


# ---------------------------------------------------------------- datasets
@main.group()
def datasets() -> None:
    """Datasets: create, ls, get."""


@datasets.command("create")
@click.argument("name")
@click.option("--id", "dataset_id", default=None, help="Fix the dataset id.")
@click.option("--description", default="")
@pass_state
@handled
def datasets_create(state: State, name: str, dataset_id: str | None, description: str) -> None:
    """Create a dataset."""
    d = state.client.datasets.create(name, dataset_id=dataset_id, description=description)
    state.out(dataset_json(d), lambda: console.print(f"created dataset [bold]{d.dataset_id}[/] ({d.name})"))


@datasets.command("ls")
@pass_state
@handled
def datasets_ls(state: State) -> None:
    """List datasets."""
    found = [d for page in state.client.datasets.list(PaginationParams(page_size=100)) for d in page.items]

    def show() -> None:
        table = Table(title=f"{len(found)} datasets")
        for column in ("dataset id", "name", "assets"):
            table.add_column(column)
        for d in found:
            table.add_row(d.dataset_id, d.name, str(d.statistic.asset_total))
        console.print(table)

    state.out([dataset_json(d) for d in found], show)


@datasets.command("get")
@click.argument("dataset_id")
@pass_state
@handled
def datasets_get(state: State, dataset_id: str) -> None:
    """Show one dataset."""
    d = state.client.datasets.get(dataset_id)
    state.out(dataset_json(d), lambda: console.print(dataset_json(d)))


# ---------------------------------------------------------------- assets
@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dataset", "dataset_id", required=True)
@click.option("--failure-mode", type=click.Choice(["FailAfterOne", "FailAfterAll"]), default="FailAfterAll",
              show_default=True)  # fmt: skip
@click.option("--no-wait", is_flag=True, help="Return once the bytes are sent.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=10_000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 256), default=None, help="Concurrent transfers (default 16).")
@click.option("--skip-existing", is_flag=True, help="Skip files already in the dataset (same name, size and hash).")
@pass_state
@handled
def upload(state: State, paths: tuple[Path, ...], dataset_id: str, failure_mode: str, no_wait: bool,
           batch_size: int, workers: int | None, skip_existing: bool) -> None:  # fmt: skip
    """Upload files and folders (recursively).

    \b
    Example:
      vi-ext upload ./photos extra.jpg --dataset pets --workers 32
    """
    result = state.client.assets.upload(
        dataset_id, [str(p) for p in paths], wait_until_done=not no_wait, failure_mode=failure_mode,
        batch_size=batch_size, max_workers=workers, show_progress=not (state.quiet or state.as_json),
        skip_existing=skip_existing,
    )  # fmt: skip
    payload = {
        "dataset_id": dataset_id, "total_files": result.total_files, "succeeded": result.total_succeeded,
        "failed": result.total_failed, "processing": result.total_processing, "session_ids": result.session_ids,
        "failures": [f.__dict__ for f in result.failures], "skipped": result.skipped_files,
        "existing": result.existing_files, "bytes_sent": result.bytes_sent,
    }  # fmt: skip

    def show() -> None:
        table = Table(title="Upload summary")
        for column in ("files", "succeeded", "failed", "processing", "sessions"):
            table.add_column(column, justify="right")
        table.add_row(*(str(v) for v in (result.total_files, result.total_succeeded, result.total_failed,
                                          result.total_processing, len(result.sessions))))  # fmt: skip
        console.print(table)
        for f in result.failures:  # plain lines: never wrapped, easy to grep
            click.echo(f"FAILED {f.path} [{f.code}] {f.message}")

    state.out(payload, show)
    if result.total_failed:
        sys.exit(EXIT_FAILED_FILES)


@main.command()
@click.argument("session_id")
@click.option("--dataset", "dataset_id", required=True)
@click.option("--timeout", type=float, default=3600.0, show_default=True)
@pass_state
@handled
def wait(state: State, session_id: str, dataset_id: str, timeout: float) -> None:
    """Wait for an ingestion session to finish."""
    session = state.client.assets.wait_until_done(dataset_id, session_id, timeout=timeout)
    state.out(session_json(session), lambda: console.print(session_json(session)))
    if session.status.progressCount.errored:
        sys.exit(EXIT_FAILED_FILES)


@main.command("ls")
@click.option("--dataset", "dataset_id", required=True)
@click.option("--sort", type=click.Choice(sorted(SORTS)), default=None)
@click.option("--desc", is_flag=True, help="Descending order.")
@click.option("--filter", "filter_criteria", default=None, help='JSON filter, e.g. \'{"filename": "cat"}\'.')
@click.option("--limit", type=click.IntRange(1), default=None, help="At most N assets.")
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
    state.out([asset_json(a) for a in assets], lambda: console.print(assets_table(assets)))


@main.command()
@click.argument("asset_id")
@click.option("--dataset", "dataset_id", required=True)
@click.option("--contents", is_flag=True, help="Include a signed download URL.")
@pass_state
@handled
def get(state: State, asset_id: str, dataset_id: str, contents: bool) -> None:
    """Show one asset."""
    a = state.client.assets.get(dataset_id, asset_id, contents=contents)
    state.out(asset_json(a), lambda: console.print(a.describe() + (f"\n  url:         {asset_json(a)['url']}"
                                                                     if contents else "")))  # fmt: skip


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--dataset", "dataset_id", required=True)
@click.option("--overwrite", is_flag=True, help="Download even files already present and verified.")
@click.option("--workers", type=click.IntRange(1, 256), default=None)
@pass_state
@handled
def download(state: State, directory: Path, dataset_id: str, overwrite: bool, workers: int | None) -> None:
    """Download every asset to DIRECTORY/<dataset>/<filename> (verified)."""
    r = state.client.assets.download(dataset_id, directory, overwrite=overwrite,
                                     show_progress=not (state.quiet or state.as_json), max_workers=workers)  # fmt: skip
    payload = {"dataset_id": r.dataset_id, "save_dir": str(r.save_dir), "count": r.count, "downloaded": r.downloaded,
               "skipped": r.skipped, "failed": r.failed, "failures": [f.__dict__ for f in r.failures]}  # fmt: skip
    state.out(payload, lambda: console.print(r.summary()))
    if r.failed:
        sys.exit(EXIT_FAILED_FILES)


@main.command()
@click.argument("asset_ids", nargs=-1)
@click.option("--dataset", "dataset_id", required=True)
@click.option("--all", "delete_all", is_flag=True, help="Delete every asset (or those --filter selects).")
@click.option("--filter", "filter_criteria", default=None, help="With --all: a JSON filter.")
@pass_state
@handled
def rm(
    state: State, asset_ids: tuple[str, ...], dataset_id: str, delete_all: bool, filter_criteria: str | None
) -> None:
    """Delete assets by id, or --all (optionally --filter)."""
    if delete_all == bool(asset_ids):
        raise click.UsageError("give ASSET_ID... or --all, not both")
    if filter_criteria and not delete_all:
        raise click.UsageError("--filter goes with --all")
    if delete_all:
        session = state.client.datasets.bulk_delete_assets(dataset_id, filter_criteria=filter_criteria)
        message = next((c.message for c in session.conditions if c.message), "done")
        payload: dict[str, Any] = {"dataset_id": dataset_id, "bulk_delete_session_id":
                                   session.delete_many_assets_session_id, "finished": session.is_finished}  # fmt: skip
        state.out(payload, lambda: console.print(f"bulk delete finished: {message}"))
        return
    deleted = [state.client.assets.delete(dataset_id, asset_id).asset_id for asset_id in asset_ids]
    state.out({"dataset_id": dataset_id, "deleted": deleted}, lambda: console.print(f"deleted {len(deleted)} asset(s)"))
