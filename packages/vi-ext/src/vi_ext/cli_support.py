"""What the `vi-ext` sub-commands share without importing `vi_ext.cli`: the state of the global
options, exit codes, error handling (one line, never a traceback; Ctrl-C exits 130), `pass_state`
and the output options that also work after a sub-command.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from vi_ext.cli_errors import EXIT_INTERRUPTED, error_line, interrupted_line
from vi_ext.cli_output import OUTPUTS, emit_json, emit_record, emit_table
from vi_ext.errors import ViError
from vi_ext.progress import ProgressEvent

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FAILED_FILES = 1
EXIT_ERROR = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool whose reader left


class State:
    """Global options, and the client built from them on first use."""

    def __init__(self, config_file: Path | None, endpoint: str | None, output: str, quiet: bool) -> None:
        self.config_file = config_file
        self.endpoint = endpoint
        self.output = output
        self.quiet = quiet
        self.progress: dict[str, ProgressEvent] = {}  # the last event of each phase (for Ctrl-C)
        self.resume = ""  # how to resume this command after Ctrl-C
        self._client: Any = None

    @property
    def as_json(self) -> bool:
        """``--json`` or ``--output json``."""
        return self.output == "json"

    @property
    def show_progress(self) -> bool:
        """Progress bars on stderr unless ``--quiet`` or JSON."""
        return not (self.quiet or self.as_json)

    @property
    def client(self) -> Any:
        """The vi_ext client: the config file as a whole if given, else DATATURE_VI_* (``--endpoint`` overrides)."""
        if self._client is None:
            from vi_ext.client import Client

            self._client = Client(endpoint=self.endpoint, config_file=self.config_file)
        return self._client

    def worker_client_options(self) -> dict[str, Any]:
        """``Client`` options the shard workers of ``--engine`` get (``--endpoint``; never credentials)."""
        return {"endpoint": self.endpoint} if self.endpoint else {}

    def track(self, event: ProgressEvent) -> None:
        """Progress callback: remember how far each phase got."""
        self.progress[event.phase] = event

    def out(self, payload: Any, human: Callable[[], None]) -> None:
        """JSON on stdout with --json, else the human rendering (nothing with --quiet)."""
        if self.as_json:
            emit_json(payload)
        elif not self.quiet:
            human()

    def data(self, payload: Any, render: Callable[[], None]) -> None:
        """Like `out`, but machine formats asked for (JSON, TSV) print even with --quiet."""
        if self.as_json:
            emit_json(payload)
        elif not self.quiet or self.output == "tsv":
            render()

    def table(self, payload: Any, title: str, headers: list[str], rows: list[list[Any]], right: frozenset[int]) -> None:
        """Rows as a table (one row per line when piped), TSV or JSON (``payload``)."""
        self.data(payload, lambda: emit_table(self.output, title, headers, rows, right))

    def record(self, payload: Any, fields: dict[str, Any]) -> None:
        """One record as ``key: value`` lines, TSV or JSON (``payload``)."""
        self.data(payload, lambda: emit_record(self.output, fields))


def handled(command: F) -> F:
    """Errors become one line on stderr and exit code 2 (never a traceback); Ctrl-C exits 130."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        state = click.get_current_context().find_object(State)
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:  # `vi-ext ls | head`: the reader left; say nothing, as Unix tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)
        except (ViError, OSError) as exc:
            client = state._client if state is not None else None
            org = getattr(client, "organization_id", None)
            click.echo(error_line(exc, org, getattr(client, "endpoint", None)), err=True)
            sys.exit(EXIT_ERROR)
        except (KeyboardInterrupt, click.Abort):
            progress = state.progress if state is not None else {}
            click.echo(interrupted_line(progress, state.resume if state is not None else ""), err=True)
            sys.exit(EXIT_INTERRUPTED)

    return wrapper  # type: ignore[return-value]


pass_state = click.make_pass_decorator(State)


def _set_output(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    state = ctx.find_object(State)
    if value and state is not None:
        state.output = value


def _set_json(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    _set_output(ctx, param, "json" if value else None)


def _set_quiet(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    state = ctx.find_object(State)
    if value and state is not None:
        state.quiet = True


def output_options(command: F) -> F:
    """``--output``, ``--json`` and ``--quiet`` on a sub-command, so they also work after it."""
    for option in (
        click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=_set_quiet,
                     help="No progress bars and no human output."),
        click.option("--json", is_flag=True, expose_value=False, callback=_set_json,
                     help="Machine-readable JSON on stdout (same as --output json)."),
        click.option("--output", "-o", type=click.Choice(OUTPUTS), default=None, expose_value=False,
                     callback=_set_output, help="table (default), tsv, or json."),
    ):  # fmt: skip
        command = option(command)
    return command
