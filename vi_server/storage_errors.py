"""Which exceptions mean "storage failed" (retry later) and "the disk is full" (answer 507)."""

from __future__ import annotations

import errno
import sqlite3

FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
DISK_FULL_MESSAGE = "the server is out of storage space; retry later"


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the database) is full.

    Args:
        exc: Any exception.

    Returns:
        True for ``OSError`` ENOSPC/EDQUOT and SQLite's "database or disk is full".
    """
    if isinstance(exc, OSError):
        return exc.errno in FULL_ERRNOS
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower()


def is_storage_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure of the database or the file system (worth retrying later).

    Args:
        exc: Any exception.

    Returns:
        True for ``OSError`` and ``sqlite3.OperationalError`` (full, locked, I/O error).
    """
    return isinstance(exc, OSError | sqlite3.OperationalError)
