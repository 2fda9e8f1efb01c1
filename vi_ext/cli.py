"""The `vi-ext` command line."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def main() -> None:
    """vi-ext: move image datasets in and out of Datature Vi."""


@main.command()
@click.option("--data-dir", type=click.Path(path_type=Path), required=True, help="Where data lives.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8765, show_default=True, help="0 picks a free port.")
@click.option("--ingestion-timeout", type=float, default=3600.0, show_default=True,
              help="Seconds before files that never arrived get ETIMEOUT.")  # fmt: skip
@click.option("--multipart-part-size", type=int, default=64 << 20, show_default=True,
              help="Bytes per multipart part (the server picks partCount from it).")  # fmt: skip
@click.option("--url-ttl", type=int, default=3600, show_default=True, help="Signed URL lifetime, seconds.")
def serve(
    data_dir: Path,
    host: str,
    port: int,
    ingestion_timeout: float,
    multipart_part_size: int,
    url_ttl: int,
) -> None:
    """Run the reference server; writes DATA_DIR/credentials.json once bound.

    \b
    Example:
      vi-ext serve --data-dir ./vi-data --port 0
    """
    from vi_server.serve import serve as run
    from vi_server.state import ServerConfig

    config = ServerConfig(
        data_dir=data_dir,
        ingestion_timeout_seconds=ingestion_timeout,
        multipart_part_size=multipart_part_size,
        url_ttl_seconds=url_ttl,
    )
    run(config, host=host, port=port)


@main.group()
def org() -> None:
    """Organizations of a reference server."""


@org.command("create")
@click.option("--data-dir", type=click.Path(path_type=Path), required=True)
def org_create(data_dir: Path) -> None:
    """Create an organization and print its credentials as JSON (works while the server runs)."""
    from vi_server.serve import create_organization

    click.echo(json.dumps(create_organization(data_dir), indent=2))
