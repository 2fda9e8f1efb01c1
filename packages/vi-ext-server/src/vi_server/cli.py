"""The reference server's command line: ``python -m vi_server`` (or ``vi-ext-server``) ``serve`` / ``org create``.

The same click commands are registered as the ``vi-ext`` plug-in (entry-point group ``vi_ext.commands``),
so ``vi-ext serve`` and ``vi-ext org create`` work when vi-ext-server is installed. They are built with
click alone: vi_server never imports vi_ext.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import sys
from pathlib import Path

import click

CONTEXT = {"help_option_names": ["-h", "--help"]}
EXIT_ERROR = 2
DATABASE_URL_HELP = ("The metadata store: postgresql+psycopg://USER[:PASSWORD]@HOST[:PORT]/DB or sqlite:///PATH "
                     "(default: SQLite in DATA_DIR).")  # fmt: skip


@click.command(context_settings=CONTEXT)
@click.option("--data-dir", type=click.Path(path_type=Path), required=True, help="Where the server keeps its data.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8765, show_default=True, help="0 picks a free port.")
@click.option("--ingestion-timeout", type=float, default=3600.0, show_default=True,
              help="Seconds before files that never arrived get ETIMEOUT.")  # fmt: skip
@click.option("--session-idle-timeout", type=float, default=600.0, show_default=True,
              help="Seconds without any upload after which a session is closed (its unsent files get ETIMEOUT).")  # fmt: skip
@click.option("--multipart-part-size", type=int, default=64 << 20, show_default=True,
              help="Bytes per multipart part (the server picks partCount from it).")  # fmt: skip
@click.option("--url-ttl", type=int, default=3600, show_default=True, help="Signed URL lifetime in seconds.")
@click.option("--faults", default="", help="Inject faults, e.g. 5xx=0.1,reset=0.05,429=0.02,truncate=0.05,slow=0.01.")
@click.option("--fault-seed", type=int, default=0, show_default=True, help="Seed of the fault layer.")
@click.option("--workers", type=int, default=1, show_default=True,
              help="HTTP worker processes on one socket (more than 1: a supervisor restarts any that dies).")  # fmt: skip
@click.option("--role", type=click.Choice(["all", "http", "ingest"]), default="all", show_default=True,
              help="all: HTTP and ingestion; http: HTTP only (run --role ingest on the same data dir); "
                   "ingest: ingestion only, no socket.")  # fmt: skip
@click.option("--database-url", envvar="VI_SERVER_DATABASE_URL", default=None, help=DATABASE_URL_HELP)
@click.option("--blob-url", envvar="VI_SERVER_BLOB_URL", default="",
              help="Where blobs live: s3://bucket/prefix or file:///path (default: DATA_DIR). "
                   "S3 credentials come from boto3's standard chain (AWS_* variables, ~/.aws).")  # fmt: skip
@click.option("--s3-endpoint", envvar="VI_SERVER_S3_ENDPOINT", default="",
              help="URL of an S3-compatible endpoint (default: AWS).")  # fmt: skip
def serve(data_dir: Path, host: str, port: int, ingestion_timeout: float, session_idle_timeout: float,
          multipart_part_size: int, url_ttl: int, faults: str, fault_seed: int, workers: int,
          role: str, database_url: str | None, blob_url: str, s3_endpoint: str) -> None:  # fmt: skip
    """Run the reference server; writes DATA_DIR/credentials.json once bound.

    \b
    Examples:
      vi-ext serve --data-dir ./vi-data --port 0
      vi-ext serve --data-dir ./vi-data --workers 4
      vi-ext serve --data-dir ./vi-data --workers 4 --role http   # and, separately:
      vi-ext serve --data-dir ./vi-data --role ingest
      vi-ext serve --data-dir ./vi-data --workers 4 --database-url postgresql+psycopg://vi@db-host/vi
      vi-ext serve --data-dir ./vi-data --blob-url s3://bucket/vi --s3-endpoint http://127.0.0.1:9000
    """
    from vi_server.db_url import DatabaseUnavailableError, parse_database_url
    from vi_server.faults import FaultPlan
    from vi_server.ingest_lock import IngestionBusyError
    from vi_server.roles import process_plan
    from vi_server.serve import serve as run
    from vi_server.state import ServerConfig

    try:
        FaultPlan.parse(faults, fault_seed)  # a bad --faults fails here, before anything is written
    except ValueError as exc:
        click.echo(f"error: --faults {faults!r}: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    try:
        process_plan(role, workers)
        parse_database_url(database_url, data_dir)  # a bad URL fails here, before anything is written
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    try:
        config = ServerConfig(data_dir=data_dir, ingestion_timeout_seconds=ingestion_timeout,
                              session_idle_timeout_seconds=session_idle_timeout,
                              multipart_part_size=multipart_part_size, url_ttl_seconds=url_ttl, faults=faults,
                              fault_seed=fault_seed, database_url=database_url, blob_url=blob_url,
                              s3_endpoint=s3_endpoint)  # fmt: skip
        run(config, host=host, port=port, workers=workers, role=role)
    except (IngestionBusyError, DatabaseUnavailableError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except (OSError, ValueError, sqlite3.Error) as exc:
        click.echo(serve_error_line(exc, host, port), err=True)
        sys.exit(EXIT_ERROR)


def serve_error_line(exc: Exception, host: str, port: int) -> str:
    """Why ``serve`` could not start, in one line naming the address or the path at fault."""
    if isinstance(exc, OSError) and exc.filename is None:  # socket errors carry no file name
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:
            reason += " (another server? --port 0 picks a free port)"
        return f"error: cannot listen on {host}:{port}: {reason}"
    return f"error: cannot serve: {' '.join(str(exc).split())}"


@click.group(context_settings=CONTEXT)
def org() -> None:
    """Organizations of a reference server."""


@org.command("create")
@click.option("--data-dir", type=click.Path(path_type=Path), required=True)
@click.option("--database-url", envvar="VI_SERVER_DATABASE_URL", default=None, help=DATABASE_URL_HELP)
def org_create(data_dir: Path, database_url: str | None) -> None:
    """Create an organization; print its credentials JSON (works while the server runs)."""
    from vi_server.db_url import DatabaseUnavailableError
    from vi_server.serve import create_organization

    try:
        creds = create_organization(data_dir, database_url=database_url)
    except (ValueError, DatabaseUnavailableError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(json.dumps(creds, indent=2))


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="vi-ext-server")
def main() -> None:
    """vi-ext-server: the offline reference server for the Vi asset API.

    \b
    Examples:
      python -m vi_server serve --data-dir ./vi-data --port 0
      python -m vi_server org create --data-dir ./vi-data
    """


main.add_command(serve)
main.add_command(org)
