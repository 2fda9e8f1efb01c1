"""Progress: rich bars when asked for, a plain callback otherwise (usable without rich)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol


@dataclass(frozen=True)
class ProgressEvent:
    """Cumulative progress of one phase (``upload``, ``ingest``, ``download``)."""

    phase: str
    done_files: int
    total_files: int
    done_bytes: int
    total_bytes: int


ProgressCallback = Callable[[ProgressEvent], None]


class Reporter(Protocol):
    """What transfers report to (thread-safe)."""

    def start(self, phase: str, total_files: int, total_bytes: int) -> None: ...
    def advance(self, files: int = 0, nbytes: int = 0) -> None: ...
    def close(self) -> None: ...


class CallbackReporter:
    """Calls ``callback`` (and optionally draws rich bars) as work advances."""

    def __init__(self, callback: ProgressCallback | None, show: bool) -> None:
        self.callback = callback
        self.lock = threading.Lock()
        self.phase = ""
        self.totals = (0, 0)
        self.done = [0, 0]
        self._rich: Any = None
        self._task: Any = None
        if show:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._rich = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[files]} files"),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._rich.start()

    def start(self, phase: str, total_files: int, total_bytes: int) -> None:
        """Begin a phase."""
        with self.lock:
            self.phase, self.totals, self.done = phase, (total_files, total_bytes), [0, 0]
            if self._rich is not None:
                self._task = self._rich.add_task(phase, total=total_bytes or None, files=f"0/{total_files}")
        self._emit()

    def advance(self, files: int = 0, nbytes: int = 0) -> None:
        """Record finished files and bytes."""
        with self.lock:
            self.done[0] += files
            self.done[1] += nbytes
            if self._rich is not None and self._task is not None:
                files_text = f"{self.done[0]}/{self.totals[0]}"
                self._rich.update(self._task, advance=nbytes, files=files_text)
        self._emit()

    def _emit(self) -> None:
        if self.callback is not None:
            event = ProgressEvent(self.phase, self.done[0], self.totals[0], self.done[1], self.totals[1])
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
