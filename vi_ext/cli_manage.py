"""Sub-commands that manage what exists: `datasets rm/update`, `sessions ls`, `count`, `rename`.

`datasets rm` is destructive: it asks on a terminal, refuses without one unless ``--yes``, and
``--dry-run`` only says what would go.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any, Literal

import click
from rich.table import Table

from vi_ext.cli import EXIT_FAILED_FILES, State, handled, main, pass_state
from vi_ext.cli_commands import asset_json, console, dataset_json, datasets, session_json
from vi_ext.models import AssetIngestionSession, DatasetDeletion
from vi_ext.types import PaginationParams

Decision = Literal["dry-run", "delete", "ask", "refuse"]


def deletion_decision(yes: bool, dry_run: bool, interactive: bool) -> Decision:
    """What `datasets rm` does: only say (dry run), delete, ask first, or refuse (no terminal, no --yes)."""
    if dry_run:
        return "dry-run"
    if yes:
        return "delete"
    return "ask" if interactive else "refuse"


def interactive() -> bool:
    """Whether a person can answer a prompt (stdin and stdout are terminals)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def deletion_json(d: DatasetDeletion) -> dict[str, Any]:
    """Documented keys of a dataset deletion."""
    message = next((c.message for c in d.conditions if c.condition == "Finished" and c.message), None)
    return {"dataset_id": d.dataset_id, "deleted": True, "finished": d.is_finished, "failed": d.has_failed,
            "message": message}  # fmt: skip


@datasets.command("rm")
@click.argument("dataset_id")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking (needed when there is no terminal).")
@click.option("--dry-run", is_flag=True, help="Only show what would be deleted.")
@click.option("--timeout", type=float, default=600.0, show_default=True, help="Seconds to wait for the deletion.")
@pass_state
@handled
def datasets_rm(state: State, dataset_id: str, yes: bool, dry_run: bool, timeout: float) -> None:
    """Delete a dataset with ALL its assets (permanent)."""
    decision = deletion_decision(yes, dry_run, interactive())
    if decision == "refuse":
        raise click.UsageError(f"refusing to delete dataset {dataset_id!r} without confirmation: pass --yes")
    d = state.client.datasets.get(dataset_id)
    what = f"dataset {d.dataset_id} ({d.name!r}, {d.statistic.asset_total} assets)"
    if decision == "dry-run":
        payload = {**dataset_json(d), "deleted": False, "dry_run": True}
        state.out(payload, lambda: console.print(f"would delete {what}; nothing deleted (--dry-run)"))
        return
    if decision == "ask" and not click.confirm(f"Delete {what}? This cannot be undone", default=False):
        click.echo("nothing deleted", err=True)
        sys.exit(EXIT_FAILED_FILES)
    deletion = state.client.datasets.delete(dataset_id, timeout=timeout)
    state.out(deletion_json(deletion), lambda: console.print(f"deleted {what}"))


@datasets.command("update")
@click.argument("dataset_id")
@click.option("--name", default=None, help="New display name.")
@click.option("--description", default=None, help="New description.")
@pass_state
@handled
def datasets_update(state: State, dataset_id: str, name: str | None, description: str | None) -> None:
    """Change a dataset's name or description."""
    if name is None and description is None:
        raise click.UsageError("give --name and/or --description")
    d = state.client.datasets.update(dataset_id, name=name, description=description)
    state.out(dataset_json(d), lambda: console.print(f"updated dataset [bold]{d.dataset_id}[/] ({d.name})"))


@main.group()
def sessions() -> None:
    """Ingestion sessions: ls."""


@sessions.command("ls")
@click.option("--dataset", "dataset_id", required=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="At most N sessions (oldest first).")
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

    def show() -> None:
        table = Table(title=f"{len(rows)} sessions")
        for column in ("session id", "created (UTC)", "finished", "total", "succeeded", "errored"):
            table.add_column(column, no_wrap=True)
        for r in rows:
            created = datetime.fromtimestamp(r["created"] / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
            table.add_row(r["session_id"], created, "yes" if r["finished"] else "no",
                          *(str(r[k]) for k in ("total", "succeeded", "errored")))  # fmt: skip
        console.print(table)

    state.out(rows, show)


@main.command("count")
@click.option("--dataset", "dataset_id", required=True)
@click.option("--filter", "filter_criteria", default=None, help='JSON filter, e.g. \'{"filename": "cat"}\'.')
@pass_state
@handled
def count(state: State, dataset_id: str, filter_criteria: str | None) -> None:
    """Count assets (those --filter selects, or all)."""
    n = state.client.assets.count(dataset_id, filter_criteria=filter_criteria)
    state.out({"dataset_id": dataset_id, "count": n}, lambda: click.echo(n))


@main.command("rename")
@click.argument("asset_id")
@click.argument("new_name")
@click.option("--dataset", "dataset_id", required=True)
@pass_state
@handled
def rename(state: State, asset_id: str, new_name: str, dataset_id: str) -> None:
    """Give an asset a new filename (it keeps its id)."""
    a = state.client.assets.rename(dataset_id, new_name, asset_id)
    state.out(asset_json(a), lambda: console.print(f"renamed {a.asset_id} to {a.filename}"))
