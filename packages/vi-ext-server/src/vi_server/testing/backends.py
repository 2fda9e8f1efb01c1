"""Server backends for tests: which metadata and blob store a test server runs on.

A backend is named ``<database>-<blobs>``: ``sqlite-local`` (the zero-set-up default),
``postgres-s3`` (the team set-up), and the two mixed ones (``postgres-local``, ``sqlite-s3``) that
help while developing one store at a time. :class:`BackendServices` starts at most one throwaway
PostgreSQL and one S3 endpoint per run, lazily, and hands each test server a database and a bucket
of its own, as ``serve`` options plus environment.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

from vi_server.testing.postgres import TempPostgres, postgres_unavailable_reason
from vi_server.testing.s3 import S3_TEST_ENV, TempS3, s3_unavailable_reason

__all__ = ["BACKENDS", "DEFAULT_BACKENDS", "Backend", "BackendServices", "ServerOptions", "selected_backends"]


@dataclass(frozen=True)
class Backend:
    """One combination of metadata store and blob store."""

    database: str  # "sqlite" | "postgres"
    blobs: str  # "local" | "s3"

    @property
    def name(self) -> str:
        """``<database>-<blobs>``, as in test ids and ``--backend``."""
        return f"{self.database}-{self.blobs}"

    @property
    def is_default(self) -> bool:
        """SQLite + local files: needs nothing beyond the server itself."""
        return self.database == "sqlite" and self.blobs == "local"


BACKENDS = {b.name: b for b in (Backend(d, s) for d in ("sqlite", "postgres") for s in ("local", "s3"))}
# What the parametrised suites run by default: the embedded default and the team set-up.
DEFAULT_BACKENDS = ("sqlite-local", "postgres-s3")
ENV_SELECTION = "VI_TEST_BACKENDS"


def selected_backends() -> list[Backend]:
    """The backends named by ``$VI_TEST_BACKENDS`` (comma-separated), else :data:`DEFAULT_BACKENDS`.

    A name given twice counts once (order kept): each suite runs once per backend.

    Raises:
        ValueError: An unknown backend name.
    """
    raw = os.environ.get(ENV_SELECTION, "").strip()
    names = [n.strip() for n in raw.split(",") if n.strip()] if raw else list(DEFAULT_BACKENDS)
    unknown = [n for n in names if n not in BACKENDS]
    if unknown:
        raise ValueError(f"unknown backend(s) {unknown} in ${ENV_SELECTION}; known: {sorted(BACKENDS)}")
    return [BACKENDS[n] for n in dict.fromkeys(names)]


@dataclass
class ServerOptions:
    """What one test server needs for a backend: extra ``serve`` arguments and environment."""

    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


class BackendServices:
    """Throwaway PostgreSQL / S3 shared by one run; a database and a bucket per server."""

    def __init__(self) -> None:
        self._postgres: TempPostgres | None = None
        self._s3: TempS3 | None = None
        self._failures: dict[str, str] = {}
        self._counter = itertools.count(1)
        self._tag = f"{os.getpid()}"

    def unavailable_reason(self, backend: Backend) -> str | None:
        """Why ``backend`` cannot run here (the skip reason), or None when it can.

        Starts the services it needs on first use; a service that failed once is not retried.
        """
        if backend.database == "postgres":
            reason = self._ensure_postgres()
            if reason:
                return f"PostgreSQL unavailable: {reason}"
        if backend.blobs == "s3":
            reason = self._ensure_s3()
            if reason:
                return f"S3 endpoint unavailable: {reason}"
        return None

    def _ensure_postgres(self) -> str | None:
        if self._postgres is None and "postgres" not in self._failures:
            reason = postgres_unavailable_reason()
            if reason is None:
                try:
                    self._postgres = TempPostgres().start()
                except (RuntimeError, OSError) as exc:
                    reason = str(exc)
            if reason:
                self._failures["postgres"] = reason
        return self._failures.get("postgres")

    def _ensure_s3(self) -> str | None:
        if self._s3 is None and "s3" not in self._failures:
            reason = s3_unavailable_reason()
            if reason is None:
                try:
                    self._s3 = TempS3().start()
                except (RuntimeError, OSError) as exc:
                    reason = str(exc)
            if reason:
                self._failures["s3"] = reason
        return self._failures.get("s3")

    def server_options(self, backend: Backend) -> ServerOptions:
        """Options for one new server on ``backend``: its own empty database and bucket.

        Raises:
            RuntimeError: The backend is unavailable (check :meth:`unavailable_reason` first).
        """
        reason = self.unavailable_reason(backend)
        if reason:
            raise RuntimeError(reason)
        options = ServerOptions()
        n = next(self._counter)
        if backend.database == "postgres":
            assert self._postgres is not None
            url = self._postgres.create_database(f"vi_test_{self._tag}_{n}")
            options.args += ["--database-url", url]
        if backend.blobs == "s3":
            assert self._s3 is not None
            bucket = self._s3.create_bucket(f"vi-test-{self._tag}-{n}")
            options.args += ["--blob-url", f"{bucket}/blobs", "--s3-endpoint", self._s3.endpoint]
            options.env.update(S3_TEST_ENV)
        return options

    def stop(self) -> None:
        """Stop every service this object started."""
        if self._postgres is not None:
            self._postgres.stop()
            self._postgres = None
        if self._s3 is not None:
            self._s3.stop()
            self._s3 = None
