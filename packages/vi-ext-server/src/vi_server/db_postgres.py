"""PostgreSQL metadata store: a SQLAlchemy 2 engine (pool) over psycopg 3, schema by Alembic.

* Statements are the handlers' own SQL (``?`` placeholders), translated once per text
  (`translate`) and run on the pooled psycopg connection, with rows that behave like
  ``sqlite3.Row`` (`PgRow`).
* Writers keep SQLite's semantics: `PostgresDatabase.tx` starts with
  ``pg_advisory_xact_lock(WRITE_LOCK_KEY)``, so writer transactions run one at a time across every
  process and host, and (READ COMMITTED) each statement sees every earlier commit. Every
  check-then-write of the handlers (claims, overwrites, session ends) stays correct unchanged.
* Reads take no lock and see committed data.
* The single ingestion role holds a session-level ``pg_try_advisory_lock`` on a connection of its
  own for its lifetime (`AdvisoryIngestLock`); the server releases it when that connection ends,
  also when the process is killed.
* The schema is created and upgraded by the Alembic revisions in `vi_server.migrations`, run at
  start-up under a migration lock (several workers starting at once migrate once).
"""

from __future__ import annotations

import contextlib
import functools
import os
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy
import sqlalchemy.exc
from alembic import command
from alembic.config import Config

from vi_server.db_url import DatabaseUnavailableError, hide_password
from vi_server.ingest_lock import IngestionBusyError

WRITE_LOCK_KEY = 0x7669_5F77_7269_7465  # "vi_write": serialises writer transactions
MIGRATE_LOCK_KEY = 0x7669_5F6D_6967_7261  # "vi_migra": one migration at a time
INGEST_LOCK_KEY = 0x7669_5F69_6E67_6573  # "vi_inges": one ingestion role per database
# Connections per process: 4 HTTP workers and the ingestion role stay under PostgreSQL's default
# max_connections (100); a request that finds them all busy waits for one (as on SQLite's lock).
POOL_SIZE = 5
MAX_OVERFLOW = 10
CONNECT_TIMEOUT_SECONDS = 10
MIGRATIONS = Path(__file__).parent / "migrations"
_ENGINES: weakref.WeakSet[sqlalchemy.Engine] = weakref.WeakSet()


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """The psycopg form of a statement: ``?`` -> ``%s`` outside quotes, a literal ``%`` -> ``%%``.

    Args:
        sql: A statement with ``?`` placeholders (SQLite's style).

    Returns:
        The same statement with psycopg's ``%s`` placeholders.
    """
    out: list[str] = []
    quote = ""
    for ch in sql:
        if ch == "%":
            out.append("%%")
        elif quote:
            out.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        else:
            out.append(ch)
    return "".join(out)


class PgRow:
    """A result row: ``row["name"]``, ``row[0]``, iteration over the values, ``keys()``."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            try:
                return self._values[self._index[key]]
            except KeyError:
                raise IndexError(f"no column {key!r}") from None
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._index)

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self._index, self._values, strict=False))!r})"


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], PgRow]:
    index: dict[str, int] = {}
    for n, column in enumerate(cursor.description or ()):
        index.setdefault(column.name, n)  # like sqlite3.Row: a repeated name means the first
    return lambda values: PgRow(values, index)


class PgConn:
    """The `vi_server.store.Conn` of a pooled psycopg connection."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self._raw = raw

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[PgRow]:
        """Run one statement; the cursor yields `PgRow` rows."""
        cursor = self._raw.cursor(row_factory=_row_factory)
        cursor.execute(translate(sql), tuple(parameters) or None)
        return cursor

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> None:
        """Run one statement once per parameter tuple."""
        rows = [tuple(p) for p in parameters]
        if rows:
            with self._raw.cursor() as cursor:
                cursor.executemany(translate(sql), rows)


def unavailable(url: str, exc: BaseException) -> DatabaseUnavailableError:
    """A one-line error naming the database (password hidden) and the driver's first line."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return DatabaseUnavailableError(
        f"cannot use database {hide_password(url)}: {reason[0] if reason else type(exc).__name__}"
    )


def migrate(engine: sqlalchemy.Engine) -> None:
    """Bring the schema to the newest Alembic revision (a no-op when it is there already).

    Args:
        engine: The database's engine.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATE_LOCK_KEY})")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _dispose_after_fork() -> None:
    for engine in list(_ENGINES):  # the parent's connections are not this process's to use
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_dispose_after_fork)


class PostgresDatabase:
    """The PostgreSQL `vi_server.store.MetadataStore` (see the module docstring)."""

    def __init__(self, url: str) -> None:
        """Connect, and create or upgrade the schema.

        Args:
            url: ``postgresql+psycopg://…``.

        Raises:
            DatabaseUnavailableError: The server cannot be reached, refuses us, or the migration failed.
        """
        self.url = url
        self.engine = sqlalchemy.create_engine(
            url, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW, pool_pre_ping=True,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        )  # fmt: skip
        try:
            migrate(self.engine)
        except (sqlalchemy.exc.SQLAlchemyError, psycopg.Error) as exc:
            self.engine.dispose()
            raise unavailable(url, exc) from None
        _ENGINES.add(self.engine)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert isinstance(driver, psycopg.Connection)
            yield driver
        finally:
            raw.close()  # back to the pool (which rolls back anything left open)

    @contextmanager
    def tx(self) -> Iterator[PgConn]:
        """A writer transaction, serialised with every other writer by the advisory lock."""
        with self._connection() as raw:
            raw.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
            try:
                yield PgConn(raw)
            except BaseException:
                with contextlib.suppress(psycopg.Error):  # a lost connection: the pool discards it
                    raw.rollback()
                raise
            raw.commit()

    @contextmanager
    def read(self) -> Iterator[PgConn]:
        """Reads without a lock (each statement sees the latest commits)."""
        with self._connection() as raw:
            yield PgConn(raw)

    def close(self) -> None:
        """Close the pool's connections."""
        self.engine.dispose()

    def ingest_lock(self, data_dir: Path) -> AdvisoryIngestLock:
        """The ingestion lock: one per database, whichever host or data dir asks."""
        del data_dir  # the database is what the ingestion roles share
        return AdvisoryIngestLock(self.engine, self.url)


class AdvisoryIngestLock:
    """A session-level advisory lock held on a connection of its own while the ingestion role runs."""

    def __init__(self, engine: sqlalchemy.Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._raw: Any = None

    def acquire(self) -> None:
        """Take the lock without waiting.

        Raises:
            IngestionBusyError: Another process (on any host) holds it.
        """
        raw = self.engine.raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, psycopg.Connection)
        row = driver.execute(f"SELECT pg_try_advisory_lock({INGEST_LOCK_KEY})").fetchone()
        driver.commit()  # the lock belongs to the session, not to this transaction
        if not (row and row[0]):
            raw.close()
            raise IngestionBusyError(
                f"another process already ingests uploads of database {hide_password(self.url)}"
                " (serve --role all or ingest, on this or another host); run this one with --role http"
            )
        self._raw = raw

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        raw, self._raw = self._raw, None
        if raw is None:
            return
        try:
            raw.driver_connection.execute(f"SELECT pg_advisory_unlock({INGEST_LOCK_KEY})")
            raw.driver_connection.commit()
            raw.close()
        except psycopg.Error:
            raw.invalidate()  # the connection is gone, and with it the lock

    def probe(self) -> None:
        """Check that the lock is free now.

        Raises:
            IngestionBusyError: Another process holds it.
        """
        self.acquire()
        self.release()
