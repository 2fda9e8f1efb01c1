"""Sub-commands that manage what exists: `datasets rm/update`, `sessions ls`, `count`, `rename`.

`datasets rm` is destructive: it goes through `vi_ext.cli_confirm` like every destructive command.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from vi_ext.cli_commands import asset_json, commands, dataset_json, datasets, session_json
from vi_ext.cli_confirm import Plan, destructive_options, go_ahead
from vi_ext.cli_support import State, handled, output_options, pass_state
from vi_ext.models import AssetIngestionSession, DatasetDeletion
from vi_ext.types import PaginationParams


def deletion_json(d: DatasetDeletion) -> dict[str, Any]:
    """Documented keys of a dataset deletion."""
    message = next((c.message for c in d.conditions if c.condition == "Finished" and c.message), None)
    return {"dataset_id": d.dataset_id, "deleted": True, "finished": d.is_finished, "failed": d.has_failed,
            "message": message}  # fmt: skip


@datasets.command("rm")
@click.argument("dataset_id")
@destructive_options
@click.option("--timeout", type=float, default=600.0, show_default=True, help="Seconds to wait for the deletion.")
@output_options
@pass_state
@handled
def datasets_rm(state: State, dataset_id: str, yes: bool, dry_run: bool, timeout: float) -> None:
    """Delete a dataset with ALL its assets (permanent; asks first, like every destructive command)."""
    d = state.client.datasets.get(dataset_id)
    plan = Plan("delete", "dataset", f"{d.dataset_id!r} ({d.name!r}) with its {d.statistic.asset_total} assets", 1, [])
    if not go_ahead(state.output, state.quiet, plan, yes=yes, dry_run=dry_run):
        return
    deletion = state.client.datasets.delete(dataset_id, timeout=timeout)
    state.out(deletion_json(deletion), lambda: click.echo(f"deleted dataset {plan.where}"))


@datasets.command("update")
@click.argument("dataset_id")
@click.option("--name", default=None, help="New display name.")
@click.option("--description", default=None, help="New description.")
@output_options
@pass_state
@handled
def datasets_update(state: State, dataset_id: str, name: str | None, description: str | None) -> None:
    """Change a dataset's name or description."""
    if name is None and description is None:
        raise click.UsageError("give --name and/or --description")
    d = state.client.datasets.update(dataset_id, name=name, description=description)
    state.out(dataset_json(d), lambda: click.echo(f"updated dataset {d.dataset_id} ({d.name})"))


@commands.group()
def sessions() -> None:
    """Ingestion sessions: ls."""


@sessions.command("ls")
@click.option("--dataset", "dataset_id", required=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="At most N sessions (oldest first).")
@output_options
@pass_state
@handled
def sessions_ls(state: State, dataset_id: str, limit: int | None) -> None:
    """List a dataset's ingestion sessions, oldest first."""
    found: list[AssetIngestionSession] = []
    for s in state.client.assets.list_sessions(dataset_id, PaginationParams(page_size=100)).all_items():
        if limit is not None and len(found) == limit:
            break
        found.append(s)
    rows = [{**session_json(s), "created": s.metadata.time_created} for s in found]
    cells = [
        [r["session_id"], datetime.fromtimestamp(r["created"] / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S"),
         "yes" if r["finished"] else "no", r["total"], r["succeeded"], r["errored"]]
        for r in rows
    ]  # fmt: skip
    state.table(rows, f"{len(rows)} sessions", ["session id", "created (UTC)", "finished", "total", "succeeded",
                "errored"], cells, frozenset({3, 4, 5}))  # fmt: skip


@commands.command("count")
@click.option("--dataset", "dataset_id", required=True)
@click.option("--filter", "filter_criteria", default=None, help='JSON filter, e.g. \'{"filename": "cat"}\'.')
@output_options
@pass_state
@handled
def count(state: State, dataset_id: str, filter_criteria: str | None) -> None:
    """Count assets (those --filter selects, or all)."""
    n = state.client.assets.count(dataset_id, filter_criteria=filter_criteria)
    state.out({"dataset_id": dataset_id, "count": n}, lambda: click.echo(n))


@commands.command("rename")
@click.argument("asset_id")
@click.argument("new_name")
@click.option("--dataset", "dataset_id", required=True)
@output_options
@pass_state
@handled
def rename(state: State, asset_id: str, new_name: str, dataset_id: str) -> None:
    """Give an asset a new filename (it keeps its id)."""
    a = state.client.assets.rename(dataset_id, new_name, asset_id)
    state.out(asset_json(a), lambda: click.echo(f"renamed {a.asset_id} to {a.filename}"))
