"""One mechanism for destructive commands: ``--dry-run``, ``--yes``, and a prompt on a terminal.

Usage in a command::

    @destructive_options
    def rm(state, ..., yes: bool, dry_run: bool):
        plan = Plan("delete", "assets", f"of dataset {dataset_id}", count, first_names)
        if not go_ahead(state, plan, yes=yes, dry_run=dry_run):
            return
        ...  # delete

Without a terminal (scripts, CI) nothing is deleted unless ``--yes`` is given: exit 2, one line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import click

from vi_ext.cli_output import emit_json, emit_record

F = TypeVar("F", bound=Callable[..., Any])
Decision = Literal["dry-run", "go", "ask", "refuse"]
SHOWN = 10
EXIT_DECLINED = 2


@dataclass(frozen=True)
class Plan:
    """What a destructive command is about to do."""

    verb: str  # "delete"
    noun: str  # "assets"
    where: str  # "of dataset pets"
    count: int
    first: list[str]  # the first few names, for the user to recognise

    def describe(self) -> str:
        """``delete 3 assets of dataset pets (a.jpg, b.jpg, c.jpg)``."""
        shown = ", ".join(self.first[:SHOWN])
        more = f", … and {self.count - SHOWN} more" if self.count > SHOWN else ""
        names = f" ({shown}{more})" if shown else ""
        return f"{self.verb} {self.count} {self.noun} {self.where}{names}"


def decide(*, yes: bool, dry_run: bool, interactive: bool, count: int) -> Decision:
    """What to do: show the plan only, go ahead, ask the user, or refuse (no terminal, no ``--yes``)."""
    if dry_run:
        return "dry-run"
    if yes or count == 0:
        return "go"
    return "ask" if interactive else "refuse"


def interactive() -> bool:
    """Whether a person can answer a prompt (stdin is a terminal)."""
    return sys.stdin.isatty()


def destructive_options(command: F) -> F:
    """Add ``--yes/-y`` and ``--dry-run`` to a command (passed as ``yes`` and ``dry_run``)."""
    command = click.option("--dry-run", is_flag=True, help="Show how many and which would go; change nothing.")(command)
    return click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (needed without a terminal).")(
        command
    )


def go_ahead(output: str, quiet: bool, plan: Plan, *, yes: bool, dry_run: bool) -> bool:
    """Apply the decision: print a dry run, prompt, or refuse; whether the command may proceed.

    Args:
        output: The output format (``table``, ``tsv`` or ``json``) for the dry run.
        quiet: No human output.
        plan: What would be done.
        yes: ``--yes`` was given.
        dry_run: ``--dry-run`` was given.

    Returns:
        True to proceed; False after a dry run.

    Raises:
        SystemExit: 2 when refused (no terminal) or declined at the prompt.
    """
    decision = decide(yes=yes, dry_run=dry_run, interactive=interactive(), count=plan.count)
    if decision == "dry-run":
        payload = {"dry_run": True, "action": plan.verb, "count": plan.count, "first": plan.first[:SHOWN]}
        if output == "json":
            emit_json(payload)
        elif output == "tsv":
            emit_record(output, {**payload, "first": ",".join(plan.first[:SHOWN])})
        elif not quiet:
            click.echo(f"dry run: would {plan.describe()}")
        return False
    if decision == "refuse":
        click.echo(f"error: refusing to {plan.verb} {plan.count} {plan.noun} without a terminal to confirm; "
                   "pass --yes (or --dry-run to see them)", err=True)  # fmt: skip
        sys.exit(EXIT_DECLINED)
    if decision == "ask" and not click.confirm(f"{plan.describe()[0].upper()}{plan.describe()[1:]}?", default=False):
        click.echo(f"nothing was {plan.verb}d", err=True)
        sys.exit(EXIT_DECLINED)
    return True
