"""What every `vi-ext` sub-command shares: global options (`State`), error handling and exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from vi_ext.errors import ViError

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FAILED_FILES = 1
EXIT_ERROR = 2


class State:
    """Global options, and the client built from them on first use."""

    def __init__(self, config_file: Path | None, endpoint: str | None, as_json: bool, quiet: bool) -> None:
        self.config_file = config_file
        self.endpoint = endpoint
        self.as_json = as_json
        self.quiet = quiet
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The vi_ext client (arguments, then DATATURE_VI_* variables, then the config file)."""
        if self._client is None:
            from vi_ext.client import Client

            self._client = Client(endpoint=self.endpoint, config_file=self.config_file)
        return self._client

    def out(self, payload: Any, human: Callable[[], None]) -> None:
        """JSON on stdout with --json, else the human rendering (nothing with --quiet)."""
        if self.as_json:
            click.echo(json.dumps(payload, indent=2, default=str))
        elif not self.quiet:
            human()


def handled(command: F) -> F:
    """Turn vi_ext errors into one line on stderr and exit code 2 (never a traceback)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ViError as exc:
            click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except OSError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


pass_state = click.make_pass_decorator(State)
