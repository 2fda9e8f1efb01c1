"""HTTP workers tell the ingestion role at once that a file's bytes were recorded (``serve --workers N``).

A datagram ``"{session_id} {idx}"`` on a Linux abstract Unix socket named after the data dir,
sent after the upload's transaction committed. It is only a hint: the ingestion role also polls
the database for 'uploaded' files (`vi_server.ingest.Ingestor` with ``discover=True``), so a
hint lost (no listener yet, a full buffer, another platform) only delays a file by one poll, and
a duplicate is harmless because claims are atomic.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("vi_server.ingest")
Item = tuple[str, int]


def address(data_dir: Path) -> bytes | None:
    """The abstract socket name of a data dir's ingestion role (``None`` off Linux: polling only)."""
    if not sys.platform.startswith("linux"):
        return None
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:32]
    return b"\0vi-ingest-" + digest.encode()


def encode(item: Item) -> bytes:
    """The datagram for one file."""
    return f"{item[0]} {item[1]}".encode()


def decode(data: bytes) -> Item | None:
    """The file a datagram names, or ``None`` for anything malformed."""
    try:
        session_id, idx = data.decode("ascii").split(" ")
        return (session_id, int(idx)) if session_id and idx.isdigit() else None
    except (UnicodeDecodeError, ValueError):
        return None


class Notifier:
    """The ``--role http`` enqueuer: a hint to the ingestion role (the database already says 'uploaded')."""

    def __init__(self, data_dir: Path) -> None:
        self.address = address(data_dir)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) if self.address else None
        if self._sock is not None:
            self._sock.setblocking(False)

    def enqueue(self, session_id: str, idx: int) -> None:
        """Send the hint; never fails (the ingestion role's poll finds the file anyway)."""
        if self._sock is None or self.address is None:
            return
        with contextlib.suppress(OSError):  # no ingestion role listening right now, or its buffer is full
            self._sock.sendto(encode((session_id, idx)), self.address)


class Listener:
    """The ingestion role's end: calls ``on_item`` for each hint, on a daemon thread."""

    def __init__(self, data_dir: Path, on_item: Callable[[Item], None]) -> None:
        self.address = address(data_dir)
        self.on_item = on_item
        self.stopping = threading.Event()
        self._sock: socket.socket | None = None

    def start(self) -> None:
        """Bind and listen (a failure only leaves polling)."""
        if self.address is None:
            return
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(self.address)
        except OSError as exc:
            log.warning("no upload hints (%s); polling the database only", exc)
            sock.close()
            return
        sock.settimeout(0.5)
        self._sock = sock
        threading.Thread(target=self._run, name="vi-ingest-hints", daemon=True).start()

    def stop(self) -> None:
        """Stop listening."""
        self.stopping.set()

    def _run(self) -> None:
        assert self._sock is not None
        with self._sock:
            while not self.stopping.is_set():
                try:
                    data = self._sock.recv(512)
                except TimeoutError:
                    continue
                except OSError:
                    return
                item = decode(data)
                if item is not None:
                    self.on_item(item)
