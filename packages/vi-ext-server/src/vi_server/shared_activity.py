"""Session activity across processes: HTTP workers publish it, the ingestion role's sweeper reads it.

With ``serve --workers N`` the PUTs of a session run in HTTP worker processes while the sweeper
that closes idle sessions runs in the ingestion role. Each HTTP worker writes, about once a
second, when it last saw a PUT of each session (now, while one is still running) to the
``session_activity`` table; the sweeper takes the later of that and its own in-process view.
"""

from __future__ import annotations

import logging
import threading

from vi_server.activity import SessionActivity
from vi_server.store import Conn, MetadataStore

log = logging.getLogger("vi_server")
PUBLISH_SECONDS = 1.0


def publish(conn: Conn, seen: dict[str, float]) -> None:
    """Record ``seen`` (session id -> epoch seconds), keeping the later time per session.

    Args:
        conn: The connection, inside a transaction.
        seen: When each session was last active.
    """
    conn.executemany(
        "INSERT INTO session_activity (session_id, seen) VALUES (?, ?)"
        " ON CONFLICT (session_id) DO UPDATE SET seen=CASE WHEN excluded.seen > session_activity.seen"
        " THEN excluded.seen ELSE session_activity.seen END",
        [(sid, int(t * 1000)) for sid, t in seen.items()],
    )


def load(conn: Conn) -> dict[str, float]:
    """Every published last-activity time, in epoch seconds, by session id."""
    return {r[0]: r[1] / 1000 for r in conn.execute("SELECT session_id, seen FROM session_activity")}


def forget(conn: Conn, session_ids: list[str]) -> None:
    """Drop the rows of sessions that are closed (in the caller's transaction)."""
    conn.executemany("DELETE FROM session_activity WHERE session_id=?", [(s,) for s in session_ids])


class Publisher:
    """A daemon thread of an HTTP worker that publishes its `SessionActivity` every second."""

    def __init__(self, db: MetadataStore, activity: SessionActivity, interval: float = PUBLISH_SECONDS) -> None:
        self.db = db
        self.activity = activity
        self.interval = interval
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="vi-activity", daemon=True)

    def start(self) -> None:
        """Start publishing."""
        self.thread.start()

    def stop(self) -> None:
        """Publish what is left, then stop."""
        self.stopping.set()
        self.thread.join(timeout=5)
        self.flush()

    def flush(self) -> None:
        """Publish what changed since the last call (a failure is retried on the next tick)."""
        seen = self.activity.take_unpublished()
        if not seen:
            return
        try:
            with self.db.tx() as conn:
                publish(conn, seen)
        except Exception as exc:  # e.g. the disk is full: the times come back next tick
            log.warning("cannot publish session activity (%s); retried", exc)
            self.activity.restore(seen)

    def _run(self) -> None:
        while not self.stopping.wait(self.interval):
            self.flush()
