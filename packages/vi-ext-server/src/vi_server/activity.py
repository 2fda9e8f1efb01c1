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
        self._unpublished: set[str] = set()

    @contextmanager
    def receiving(self, session_id: str) -> Iterator[None]:
        """Mark a PUT for the session in flight for the duration of the block.

        Args:
            session_id: The session the PUT belongs to.
        """
        with self._lock:
            self._busy[session_id] = self._busy.get(session_id, 0) + 1
            self._last[session_id] = time.time()
            self._unpublished.add(session_id)
        try:
            yield
        finally:
            with self._lock:
                left = self._busy.pop(session_id) - 1
                if left:
                    self._busy[session_id] = left
                self._last[session_id] = time.time()
                self._unpublished.add(session_id)

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

    def take_unpublished(self) -> dict[str, float]:
        """What changed since the last call: session id -> last seen (now for PUTs still running).

        An HTTP worker of ``serve --workers N`` writes this to the database (`vi_server.shared_activity`)
        for the ingestion role, whose sweeper closes idle sessions.

        Returns:
            Epoch seconds per session that had activity since the previous call or still has a PUT running.
        """
        with self._lock:
            now = time.time()
            names = self._unpublished | {sid for sid, n in self._busy.items() if n}
            self._unpublished = set()
            seen = {sid: (now if self._busy.get(sid) else self._last.get(sid, now)) for sid in names}
            for sid in names:  # nothing left to forget for the ingestion role's sweeper in this process
                if not self._busy.get(sid):
                    self._last.pop(sid, None)
            return seen

    def restore(self, seen: dict[str, float]) -> None:
        """Put back times `take_unpublished` returned that could not be published.

        Args:
            seen: Epoch seconds by session id.
        """
        with self._lock:
            for sid, t in seen.items():
                self._last[sid] = max(t, self._last.get(sid, t))
            self._unpublished.update(seen)
