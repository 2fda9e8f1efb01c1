"""Run the reference server in a subprocess on a free loopback port (tests, contract, demo, bench)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from vi_server.private_files import private_dir


class RunningServer:
    """``python -m vi_server serve`` in a subprocess; ``stop()``/``start()`` keep the data dir."""

    def __init__(self, data_dir: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.extra = list(extra)
        # Added to the inherited environment (e.g. S3 credentials of a test backend).
        self.env = dict(env or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self.creds: dict[str, str] = {}

    def start(self, timeout: float = 30.0) -> RunningServer:
        """Start and wait until ``credentials.json`` names the bound endpoint."""
        creds_file = self.data_dir / "credentials.json"
        old = creds_file.read_text() if creds_file.exists() else None
        private_dir(self.data_dir)  # as the server would create it (0700): the log goes there first
        log = (self.data_dir / "server.log").open("ab")
        cmd = [sys.executable, "-m", "vi_server", "serve", "--data-dir",
               str(self.data_dir), "--port", "0", *self.extra]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                     env={**os.environ, **self.env})  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.data_dir / 'server.log').read_text()[-2000:]}")
            if creds_file.exists() and creds_file.read_text() != old:
                try:
                    self.creds = json.loads(creds_file.read_text())
                    httpx.get(self.endpoint + "/workspaces/x/datasets", timeout=2)
                    return self
                except (ValueError, httpx.TransportError):
                    pass
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL)."""
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    @property
    def endpoint(self) -> str:
        """Base URL."""
        return self.creds["endpoint"]

    @property
    def org(self) -> str:
        """The default organization."""
        return self.creds["organization_id"]

    @property
    def key(self) -> str:
        """Its secret key."""
        return self.creds["secret_key"]

    @property
    def database_url(self) -> str | None:
        """The ``--database-url`` this server was started with (``None``: SQLite in its data dir)."""
        for i, arg in enumerate(self.extra[:-1]):
            if arg == "--database-url":
                return self.extra[i + 1]
        return None

    def _store_options(self) -> list[str]:
        """The ``--database-url`` option this server was started with, for ``org create``."""
        return [] if self.database_url is None else ["--database-url", self.database_url]

    def new_org(self) -> dict[str, str]:
        """``python -m vi_server org create`` while the server runs."""
        out = subprocess.run(
            [sys.executable, "-m", "vi_server", "org", "create", "--data-dir",
             str(self.data_dir), *self._store_options()],
            capture_output=True, text=True, check=True, env={**os.environ, **self.env},
        )  # fmt: skip
        creds: dict[str, str] = json.loads(out.stdout)
        return creds
