"""At most one ingestion role per data dir (``serve --role all|ingest``).

The ingestion role re-queues files a crashed predecessor left 'ingesting' and removes staging
leftovers at its start; two of them on one data dir would take each other's files. The role
holds an exclusive ``flock`` on ``DATA_DIR/ingest.lock`` while it runs; the kernel releases it
when the process ends, even by SIGKILL, so a restarted ingestion process takes over at once.
That is the SQLite store's lock (`vi_server.db.Database.ingest_lock`); with PostgreSQL the role
holds a session-level advisory lock of the database instead, which holds across hosts
(`vi_server.db_postgres.AdvisoryIngestLock`).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_NAME = "ingest.lock"


class IngestionBusyError(RuntimeError):
    """Another process already runs the ingestion role on this data dir."""


class IngestLock:
    """The exclusive ingestion lock of a data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock without waiting.

        Raises:
            IngestionBusyError: Another process holds it.
        """
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise IngestionBusyError(
                f"another process already ingests uploads of {self.path.parent} (serve --role all or ingest);"
                " run this one with --role http"
            ) from None
        self._fd = fd

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def probe(self) -> None:
        """Check that the lock is free now (taken and given back at once).

        Raises:
            IngestionBusyError: Another process holds it.
        """
        self.acquire()
        self.release()
