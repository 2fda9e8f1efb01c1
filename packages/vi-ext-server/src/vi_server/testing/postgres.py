"""A throwaway PostgreSQL server on a free loopback port (tests, contract and compat runs).

Uses the machine's own PostgreSQL binaries (Debian: ``/usr/lib/postgresql/<v>/bin``, or whatever
``pg_config --bindir`` names). ``initdb`` and ``pg_ctl`` refuse to run as root, so as root they run
as the ``postgres`` user (``runuser -u postgres``) on a temp dir that user owns. Data lives in that
temp dir and is removed by :meth:`TempPostgres.stop`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from vi_server.testing.ports import free_loopback_port

__all__ = ["TempPostgres", "find_pg_bindir", "postgres_unavailable_reason"]

SERVICE_USER = "postgres"


def find_pg_bindir() -> Path | None:
    """The directory holding ``initdb``/``pg_ctl``, or None when PostgreSQL is not installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        candidates += sorted((p / "bin" for p in debian.iterdir()), key=lambda p: p.parent.name, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


def _run_as_service_user() -> bool:
    return os.geteuid() == 0


def postgres_unavailable_reason() -> str | None:
    """Why a throwaway PostgreSQL cannot be started here, or None when it can be tried."""
    if find_pg_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if _run_as_service_user():
        if shutil.which("runuser") is None:
            return "running as root and `runuser` is missing (initdb refuses to run as root)"
        import pwd

        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            return f"running as root and there is no `{SERVICE_USER}` user to run initdb as"
    return None


class TempPostgres:
    """A PostgreSQL cluster in a temp dir, listening on 127.0.0.1 only, trust authentication."""

    def __init__(self) -> None:
        self.bindir = find_pg_bindir()
        self.port = 0
        self.root: Path | None = None

    def _cmd(self, *argv: str) -> list[str]:
        assert self.bindir is not None
        cmd = [str(self.bindir / argv[0]), *argv[1:]]
        return ["runuser", "-u", SERVICE_USER, "--", *cmd] if _run_as_service_user() else cmd

    def _check(self, *argv: str, timeout: float = 60.0) -> None:
        out = subprocess.run(self._cmd(*argv), capture_output=True, text=True, timeout=timeout, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({out.returncode}): {(out.stderr or out.stdout)[-1500:]}")

    def start(self, timeout: float = 60.0) -> TempPostgres:
        """Create the cluster and start the server.

        Args:
            timeout: Seconds to wait for each of initdb and the server start.

        Returns:
            This object, running.

        Raises:
            RuntimeError: PostgreSQL is not available here or did not start (the message says why).
        """
        reason = postgres_unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        # Not under pytest's 0700 tmp dirs: the service user must be able to reach it.
        self.root = Path(tempfile.mkdtemp(prefix="vi-pg-"))
        if _run_as_service_user():
            shutil.chown(self.root, user=SERVICE_USER)
        data = self.root / "data"
        self._check("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
                    "--locale", "C", timeout=timeout)  # fmt: skip
        for _attempt in range(3):  # a free port can be taken between probing and binding
            self.port = free_loopback_port()
            options = (f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")  # fmt: skip
            try:
                self._check("pg_ctl", "-D", str(data), "-l", str(self.root / "log"), "-w", "-t", str(int(timeout)),
                            "-o", options, "start", timeout=timeout + 5)  # fmt: skip
                return self
            except RuntimeError:
                time.sleep(0.2)
        log = (self.root / "log").read_text(errors="replace")[-1500:] if (self.root / "log").exists() else ""
        self.stop()
        raise RuntimeError(f"PostgreSQL did not start: {log}")

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of one database of this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL.

        Args:
            name: Database name (letters, digits and underscores).

        Returns:
            ``postgresql+psycopg://postgres@127.0.0.1:PORT/name``.

        Raises:
            ValueError: The name is not a plain identifier.
            RuntimeError: ``createdb`` failed.
        """
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain database name: {name!r}")
        self._check("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and remove its data (safe to call twice)."""
        if self.root is None:
            return
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(self._cmd("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"),
                           capture_output=True, timeout=60, check=False)  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
