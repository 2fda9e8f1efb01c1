"""Which exceptions mean "storage failed" (retry later) and "the disk is full" (answer 507)."""

from __future__ import annotations

import errno
import functools
import inspect
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

from vi_server.errors import ApiError
from vi_server.s3_client import S3Error

FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
DISK_FULL_MESSAGE = "the server is out of storage space; retry later"
PG_DISK_FULL = "53100"  # SQLSTATE disk_full


def database_errors() -> tuple[type[BaseException], ...]:
    """The exception types of a failing database (full, unreachable, I/O), of the drivers loaded.

    PostgreSQL's (psycopg's ``OperationalError``, SQLAlchemy's for a pool that cannot connect)
    count only once `vi_server.db_postgres` has loaded them: a SQLite server never imports them.
    """
    found: list[type[BaseException]] = [sqlite3.OperationalError]
    for module in ("psycopg", "sqlalchemy.exc"):
        loaded = sys.modules.get(module)
        if loaded is not None:
            found.append(loaded.OperationalError)
    return tuple(found)


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the database) is full.

    Args:
        exc: Any exception.

    Returns:
        True for ``OSError`` ENOSPC/EDQUOT, SQLite's "database or disk is full" and PostgreSQL's disk_full.
    """
    if isinstance(exc, OSError):
        return exc.errno in FULL_ERRNOS
    if isinstance(exc, sqlite3.OperationalError):
        return "full" in str(exc).lower()
    return getattr(getattr(exc, "orig", exc), "sqlstate", None) == PG_DISK_FULL


def is_storage_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure of the database or the file system (worth retrying later).

    Args:
        exc: Any exception.

    Returns:
        True for ``OSError`` and the database drivers' operational errors (full, locked, unreachable, I/O).
    """
    return isinstance(exc, (OSError, *database_errors()))


async def discard(chunks: AsyncIterator[bytes], limit: int) -> None:
    """Read and drop the rest of a request body (at most ``limit`` more bytes).

    Answering before the body is read makes the server close the connection, and the client then
    sees a reset instead of the 507.

    Args:
        chunks: The body's remaining chunks.
        limit: How many more bytes to read at most.
    """
    async for chunk in chunks:
        limit -= len(chunk)
        if limit < 0:
            return


def object_store_message(exc: S3Error) -> str:
    """What a client hears when the object store failed (no credentials, unreachable, refused)."""
    return f"the object store failed ({exc.code or 'unreachable'}); retry later"


def disk_full_as_507(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a route handler (sync or async) so a full disk or database answers 507, like any API error.

    A failure of the S3 blob store answers 503.

    An exception left to the server's last-resort handler also gets an answer, but the server then
    closes the connection, and a client reusing it sees a reset instead of the 507.

    Args:
        handler: The handler.

    Returns:
        The wrapped handler, sync or async like ``handler``.
    """
    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def wrapped_async(*args: Any) -> Any:
            try:
                return await handler(*args)
            except Exception as exc:
                if is_disk_full(exc):
                    raise ApiError(507, DISK_FULL_MESSAGE) from exc
                if isinstance(exc, S3Error):
                    raise ApiError(503, object_store_message(exc)) from exc
                raise

        return wrapped_async

    @functools.wraps(handler)
    def wrapped(*args: Any) -> Any:
        try:
            return handler(*args)
        except Exception as exc:
            if is_disk_full(exc):
                raise ApiError(507, DISK_FULL_MESSAGE) from exc
            if isinstance(exc, S3Error):
                raise ApiError(503, object_store_message(exc)) from exc
            raise

    return wrapped
