"""Progress: rich bars when asked for, a plain callback otherwise (usable without rich)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

UPLOAD = "upload"
INGEST = "ingest"
DOWNLOAD = "download"
LABELS = {UPLOAD: "Uploading", INGEST: "Ingesting", DOWNLOAD: "Downloading"}
SMALL_FILE_BYTES = 8 << 20  # below this mean size, per-file overhead dominates: count files, not bytes


@dataclass(frozen=True)
class ProgressEvent:
    """Cumulative progress of one phase.

    ``phase`` is ``"upload"`` (bytes sent to storage), then ``"ingest"`` (the server checking the
    files sent; ``done_files`` = succeeded + failed, no bytes) when the upload waits, or
    ``"download"`` (assets downloaded or already there and verified; ``total_bytes`` is the size
    of every asset).
    """

    phase: str
    done_files: int
    total_files: int
    done_bytes: int
    total_bytes: int


ProgressCallback = Callable[[ProgressEvent], None]


def eta_by_files(total_files: int, total_bytes: int) -> bool:
    """Whether the bar (and its time estimate) should count files rather than bytes.

    Many small files take as long per file as per byte, so their ETA follows files; a few large
    files follow bytes.

    Args:
        total_files: files in the phase.
        total_bytes: bytes in the phase.

    Returns:
        ``True`` to count files.
    """
    return total_files >= 2 and total_bytes < SMALL_FILE_BYTES * total_files


class Reporter(Protocol):
    """What transfers report to (thread-safe)."""

    def start(self, phase: str, total_files: int, total_bytes: int) -> None:
        """Begin a phase.

        Args:
            phase: ``upload``, ``ingest`` or ``download``.
            total_files: files in the phase.
            total_bytes: bytes in the phase.
        """
        ...

    def advance(self, files: int = 0, nbytes: int = 0) -> None:
        """Record finished files and bytes.

        Args:
            files: files finished since the last call.
            nbytes: bytes finished since the last call.
        """
        ...

    def grow(self, files: int = 0, nbytes: int = 0) -> None:
        """Add to the phase's totals (a streamed upload learns them as discovery goes on).

        Args:
            files: files found since the last call.
            nbytes: their bytes.
        """
        ...

    def close(self) -> None:
        """End the last phase."""
        ...


class CallbackReporter:
    """Calls ``callback`` (and optionally draws rich bars) as work advances."""

    def __init__(self, callback: ProgressCallback | None, show: bool) -> None:
        """Report to ``callback`` and, with ``show``, to rich progress bars on stderr.

        Args:
            callback: called with a `ProgressEvent` at every start and advance.
            show: draw progress bars.
        """
        self.callback = callback
        self.lock = threading.Lock()
        self.phase = ""
        self.totals = (0, 0)
        self.done = [0, 0]
        self.by_files = False
        self.started = time.monotonic()
        self._rich: Any = None
        self._task: Any = None
        if show:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._rich = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[files]} files"),
                TextColumn("{task.fields[size]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._rich.start()

    def start(self, phase: str, total_files: int, total_bytes: int) -> None:
        """Begin a phase.

        Args:
            phase: ``upload``, ``ingest`` or ``download``.
            total_files: files in the phase.
            total_bytes: bytes in the phase (0: unknown).
        """
        with self.lock:
            self.phase, self.totals, self.done = phase, (total_files, total_bytes), [0, 0]
            self.by_files = eta_by_files(total_files, total_bytes) or not total_bytes
            self.started = time.monotonic()
            if self._rich is not None:
                total = total_files if self.by_files else total_bytes
                self._task = self._rich.add_task(
                    LABELS.get(phase, phase), total=total or None, files=f"0/{total_files}", size=self._size()
                )
            event = self._event()
        self._emit(event)

    def advance(self, files: int = 0, nbytes: int = 0) -> None:
        """Record finished files and bytes.

        Args:
            files: files finished since the last call.
            nbytes: bytes finished since the last call.
        """
        with self.lock:
            self.done[0] += files
            self.done[1] += nbytes
            if self._rich is not None and self._task is not None:
                self._rich.update(
                    self._task,
                    advance=files if self.by_files else nbytes,
                    files=f"{self.done[0]}/{self.totals[0]}",
                    size=self._size(),
                )
            event = self._event()
        self._emit(event)

    def grow(self, files: int = 0, nbytes: int = 0) -> None:
        """Add to the phase's totals (a streamed upload learns them as discovery goes on).

        Args:
            files: files found since the last call.
            nbytes: their bytes.
        """
        if not files and not nbytes:
            return
        with self.lock:
            self.totals = (self.totals[0] + files, self.totals[1] + nbytes)
            if self._rich is not None and self._task is not None:
                total = self.totals[0] if self.by_files else self.totals[1]
                self._rich.update(self._task, total=total or None, files=f"{self.done[0]}/{self.totals[0]}")

    def _size(self) -> str:
        """``1.2/3.4 MB 0.5 MB/s`` (empty for a phase without bytes)."""
        if not self.totals[1]:
            return ""
        from rich.filesize import decimal

        elapsed = max(time.monotonic() - self.started, 1e-6)
        return f"{decimal(self.done[1])}/{decimal(self.totals[1])} {decimal(int(self.done[1] / elapsed))}/s"

    def _event(self) -> ProgressEvent:
        return ProgressEvent(self.phase, self.done[0], self.totals[0], self.done[1], self.totals[1])

    def _emit(self, event: ProgressEvent) -> None:
        if self.callback is not None:
            self.callback(event)

    def close(self) -> None:
        """Stop drawing."""
        if self._rich is not None:
            self._rich.stop()
            self._rich = None

    def __enter__(self) -> CallbackReporter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
