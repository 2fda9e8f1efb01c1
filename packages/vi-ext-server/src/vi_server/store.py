"""The metadata store interface: one small protocol, two implementations chosen by URL.

* SQLite (`vi_server.db`, the zero-set-up default): one file in the data dir, one connection
  per process, ``BEGIN IMMEDIATE`` for writers (a whole-database lock, across processes too).
* PostgreSQL (`vi_server.db_postgres`): a SQLAlchemy 2 engine (connection pool) over psycopg 3,
  the schema created and upgraded by Alembic; every writer transaction starts with
  ``pg_advisory_xact_lock`` so writers are serialised exactly as on SQLite, on every host.

Handlers write SQL once, in the dialect both understand: ``?`` placeholders (translated for
psycopg in one place, `vi_server.db_postgres.translate`), ``ON CONFLICT`` upserts, no ``rowid``.
Rows answer ``row["column"]`` and ``row[0]`` and iterate over their values, like ``sqlite3.Row``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from vi_server.db_url import DatabaseUnavailableError, parse_database_url

ENV_DATABASE_URL = "VI_SERVER_DATABASE_URL"


class Row(Protocol):
    """One result row: by column name or position; iterating yields the values."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    """The result of one statement."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...

    @property
    def rowcount(self) -> int:
        """Rows the statement changed (UPDATE/DELETE/INSERT)."""
        ...


class Conn(Protocol):
    """A connection inside `MetadataStore.tx` or `MetadataStore.read` (``?`` placeholders)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Any: ...


class ExclusiveLock(Protocol):
    """The single-ingestion-role lock (`vi_server.ingest_lock`)."""

    def acquire(self) -> None: ...

    def release(self) -> None: ...

    def probe(self) -> None: ...


class MetadataStore(Protocol):
    """Transactions over the server's tables."""

    def tx(self) -> AbstractContextManager[Conn]:
        """A writer transaction: serialised with every other writer, committed on success."""
        ...

    def read(self) -> AbstractContextManager[Conn]:
        """A block of reads (sees committed data)."""
        ...

    def close(self) -> None:
        """Release the connections."""
        ...

    def ingest_lock(self, data_dir: Path) -> ExclusiveLock:
        """The lock that admits one ingestion role for this store."""
        ...


def open_database(url: str | None, data_dir: Path) -> MetadataStore:
    """Open the metadata store a URL names (creating or upgrading its schema).

    Args:
        url: See `parse_database_url`.
        data_dir: The server's data dir.

    Returns:
        The store.

    Raises:
        DatabaseUrlError: The URL is not usable.
        DatabaseUnavailableError: PostgreSQL cannot be reached or migrated, or its driver is missing.
    """
    parsed = parse_database_url(url, data_dir)
    if parsed.kind == "sqlite":
        from vi_server.db import Database

        assert parsed.path is not None
        return Database(parsed.path)
    try:
        from vi_server.db_postgres import PostgresDatabase
    except ImportError as exc:
        raise DatabaseUnavailableError(
            f"PostgreSQL support is not installed ({exc.name}): pip install 'vi-ext-server[postgres]'"
        ) from None
    return PostgresDatabase(parsed.url)
