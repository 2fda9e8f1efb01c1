"""The `vi-ext` command line: the SDK for people and scripts.

Exit codes: 0 ok; 1 some files failed; 2 usage, authentication, connection or server error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vi_ext import cli_commands, cli_plugins
from vi_ext.cli_support import EXIT_ERROR, EXIT_FAILED_FILES, handled, pass_state

__all__ = ["EXIT_ERROR", "EXIT_FAILED_FILES", "State", "handled", "main", "pass_state"]


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config-file",
    type=click.Path(path_type=Path),
    envvar="VI_EXT_CONFIG_FILE",
    help="JSON with secret_key, organization_id and optional endpoint (e.g. a server's credentials.json).",
)
@click.option("--endpoint", default=None, help="API endpoint (default: DATATURE_VI_API_ENDPOINT or the config file).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars and no human output.")
@click.version_option(package_name="vi-ext")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, endpoint: str | None, as_json: bool, quiet: bool) -> None:  # fmt: skip
    """vi-ext: move image datasets in and out of Datature Vi.

    Credentials: --config-file, or DATATURE_VI_SECRET_KEY / DATATURE_VI_ORGANIZATION_ID
    (and DATATURE_VI_API_ENDPOINT), exactly as the Python client reads them.

    \b
    Examples:
      vi-ext serve --data-dir ./vi-data --port 0
      export VI_EXT_CONFIG_FILE=./vi-data/credentials.json
      vi-ext datasets create pets --id pets
      vi-ext upload ./photos --dataset pets
      vi-ext ls --dataset pets --sort filename --limit 20
      vi-ext download --dataset pets ./out
      vi-ext rm --all --dataset pets
    """
    ctx.obj = State(config_file, endpoint, as_json, quiet)


for _command in cli_commands.commands.commands.values():
    main.add_command(_command)
cli_plugins.register(main)
