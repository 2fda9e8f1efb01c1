"""`vi-ext` sub-commands provided by other distributions (entry-point group ``vi_ext.commands``).

vi-ext-server registers ``serve`` and ``org`` there. Without it, those names stay on the command
line as stand-ins that say how to install the server (one line on stderr, exit code 2).
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from typing import Any

import click

GROUP = "vi_ext.commands"
EXIT_ERROR = 2
SERVER_COMMANDS = {
    "serve": "Run the reference server (needs vi-ext-server).",
    "org": "Organizations of a reference server (needs vi-ext-server).",
}
INSTALL_HINT = "pip install vi-ext-server"


def missing_command(name: str, help_text: str, reason: str) -> click.Command:
    """Return a stand-in for ``name`` that fails with one line naming ``reason`` and the install command.

    Args:
        name: The sub-command's name on the `vi-ext` command line.
        help_text: Its one-line help in ``vi-ext --help``.
        reason: Why it is unavailable (e.g. "is not installed").

    Returns:
        A click command that accepts any arguments, prints the error and exits with code 2.
    """

    def run(args: tuple[str, ...]) -> None:
        click.echo(f"error: `vi-ext {name}` needs the reference server, which {reason}: {INSTALL_HINT}", err=True)
        sys.exit(EXIT_ERROR)

    return click.Command(
        name,
        callback=run,
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        help=help_text,
        short_help=help_text,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    )


def discovered() -> dict[str, Any]:
    """Return the entry points of ``vi_ext.commands`` by name (not loaded yet)."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def register(group: click.Group) -> None:
    """Add every plug-in command to ``group``, and stand-ins for the server commands that are missing.

    Args:
        group: The `vi-ext` top-level click group.
    """
    found = discovered()
    for name, ep in sorted(found.items()):
        try:
            command = ep.load()
        except Exception as exc:  # a broken plug-in must not break the whole CLI
            command = missing_command(name, f"(unavailable: {exc})", f"failed to load ({type(exc).__name__}: {exc})")
        if isinstance(command, click.Command):
            group.add_command(command, name)
    for name, help_text in SERVER_COMMANDS.items():
        if name not in group.commands:
            group.add_command(missing_command(name, help_text, "is not installed"))
