"""When each ingestion session last showed a sign of a live client (issue 14.7).

A session whose client died would otherwise stay open until its deadline (an hour by default).
Activity is a storage PUT starting, running or ending for one of its files; the database adds
the last time a file's bytes arrived, so a restart does not forget what was already known.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class SessionActivity:
    """In-memory last-activity times and PUTs in flight, per session (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._busy: dict[str, int] = {}

    @contextmanager
    def receiving(self, session_id: str) -> Iterator[None]:
        """Mark a PUT for the session in flight for the duration of the block.

        Args:
            session_id: The session the PUT belongs to.
        """
        with self._lock:
            self._busy[session_id] = self._busy.get(session_id, 0) + 1
            self._last[session_id] = time.time()
        try:
            yield
        finally:
            with self._lock:
                left = self._busy.pop(session_id) - 1
                if left:
                    self._busy[session_id] = left
                self._last[session_id] = time.time()

    def last_seen(self, session_id: str) -> float | None:
        """When (epoch seconds) a PUT of the session last started or ended; now while one runs; ``None`` if never."""
        with self._lock:
            if self._busy.get(session_id):
                return time.time()
            return self._last.get(session_id)

    def forget(self, session_id: str) -> None:
        """Drop what is known about a finished session."""
        with self._lock:
            if not self._busy.get(session_id):
                self._last.pop(session_id, None)
