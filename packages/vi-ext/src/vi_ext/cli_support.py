"""What the `vi-ext` sub-commands share without importing `vi_ext.cli`: exit codes, error handling, `pass_state`."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from vi_ext.errors import ViError

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FAILED_FILES = 1
EXIT_ERROR = 2


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


# The `State` that `vi_ext.cli.main` puts on the context (sub-contexts inherit it).
pass_state = click.pass_obj
