"""The `vi-ext` command line: the SDK for people and scripts.

Exit codes: 0 ok; 1 some files failed; 2 usage, authentication, connection or server error, or a
destructive command refused/declined; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

from pathlib import Path

import click

from vi_ext import cli_commands, cli_manage, cli_plugins
from vi_ext.cli_output import OUTPUTS
from vi_ext.cli_support import EXIT_ERROR, EXIT_FAILED_FILES, State, handled, pass_state

__all__ = ["EXIT_ERROR", "EXIT_FAILED_FILES", "State", "cli_manage", "handled", "main", "pass_state"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config-file",
    type=click.Path(path_type=Path),
    envvar="VI_EXT_CONFIG_FILE",
    help="JSON with secret_key, organization_id and optional endpoint (e.g. a server's credentials.json); "
    "used as a whole: DATATURE_VI_* variables are then not read.",
)
@click.option("--endpoint", default=None, help="API endpoint (default: the config file's, else the environment's).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout (same as --output json).")
@click.option("--output", "-o", type=click.Choice(OUTPUTS), default="table", show_default=True,
              help="Tables: aligned rows (one per line when piped), tab-separated, or JSON.")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No progress bars and no human output.")
@click.version_option(package_name="vi-ext")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, endpoint: str | None, as_json: bool, output: str,
         quiet: bool) -> None:  # fmt: skip
    """vi-ext: move image datasets in and out of Datature Vi.

    Credentials: --config-file (or VI_EXT_CONFIG_FILE), used as a whole; without it
    DATATURE_VI_SECRET_KEY / DATATURE_VI_ORGANIZATION_ID (and DATATURE_VI_API_ENDPOINT).
    The two are never mixed, exactly as the Python client reads them.
    --json, --output and --quiet go before or after the command.

    \b
    Examples:
      vi-ext serve --data-dir ./vi-data --port 0
      export VI_EXT_CONFIG_FILE=./vi-data/credentials.json
      vi-ext datasets create pets --id pets
      vi-ext upload ./photos --dataset pets
      vi-ext ls --dataset pets --sort filename --limit 20 --output tsv
      vi-ext download --dataset pets ./out
      vi-ext rm --all --dataset pets --dry-run
    """
    ctx.obj = State(config_file, endpoint, "json" if as_json else output, quiet)


for _command in cli_commands.commands.commands.values():  # cli_manage added its commands there too
    main.add_command(_command)
cli_plugins.register(main)
