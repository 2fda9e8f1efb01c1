"""The background ingestion worker and the deadline sweeper."""

from __future__ import annotations

import json
import logging
import queue
import threading
from pathlib import Path

from vi_server import assets_store, sessions
from vi_server.assets_store import NewContents
from vi_server.inspect_image import Declared, Received, inspect
from vi_server.state import ServerState, now_ms

log = logging.getLogger("vi_server.ingest")


class Ingestor:
    """Ingests uploaded files on worker threads; times out sessions whose files never come."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.queue: queue.Queue[tuple[str, int] | None] = queue.Queue()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start workers and the sweeper; re-queue files that were waiting before a restart."""
        with self.state.db.tx() as conn:
            conn.execute("UPDATE session_files SET state='uploaded' WHERE state='ingesting'")
            waiting = conn.execute("SELECT session_id, idx FROM session_files WHERE state='uploaded'").fetchall()
        for row in waiting:
            self.queue.put((row["session_id"], row["idx"]))
        for n in range(self.state.config.ingest_workers):
            self._spawn(self._work, f"vi-ingest-{n}")
        self._spawn(self._sweep, "vi-sweeper")

    def _spawn(self, target: object, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self.threads.append(thread)

    def stop(self) -> None:
        """Stop all threads."""
        self.stopping.set()
        for _ in range(self.state.config.ingest_workers):
            self.queue.put(None)
        for thread in self.threads:
            thread.join(timeout=5)

    def enqueue(self, session_id: str, idx: int) -> None:
        """Ingest a file whose bytes have arrived."""
        self.queue.put((session_id, idx))

    def _work(self) -> None:
        while (item := self.queue.get()) is not None:
            try:
                self.ingest(*item)
            except Exception:  # a bug must not kill the worker; the file is reported
                log.exception("ingestion of %s failed", item)
                with self.state.db.tx() as conn:
                    conn.execute(
                        "UPDATE session_files SET state='error', error_code='EUNKNOWN',"
                        " error_message='internal error while ingesting', updated=?"
                        " WHERE session_id=? AND idx=? AND state='ingesting'",
                        (now_ms(), *item),
                    )
                    sessions.finish_if_done(conn, item[0], now_ms())

    def _sweep(self) -> None:
        while not self.stopping.wait(self.state.config.sweep_interval_seconds):
            with self.state.db.tx() as conn:
                sessions.time_out(conn, now_ms())

    def ingest(self, session_id: str, idx: int) -> None:
        """Inspect one staged file and turn it into an asset (or a per-file error)."""
        with self.state.db.tx() as conn:
            f = conn.execute(
                "SELECT * FROM session_files WHERE session_id=? AND idx=? AND state='uploaded'",
                (session_id, idx),
            ).fetchone()
            if f is None:
                return
            conn.execute(
                "UPDATE session_files SET state='ingesting' WHERE session_id=? AND idx=?",
                (session_id, idx),
            )
            received = json.loads(f["received"])
        staged = Path(f["staged"])
        declared = Declared(f["size"], f["crc32c"], f["mime"], f["kind"])
        verdict = inspect(
            staged,
            declared,
            Received(received["size"], received["crc32c"]),
            self.state.config.thumbnail_size,
        )
        sha = received["sha256"]
        thumb_sha = self.state.blobs.put_bytes(verdict.thumbnail) if verdict.code is None else ""
        if verdict.code is None:
            self.state.blobs.adopt(staged, sha)
        now = now_ms()
        with self.state.db.tx() as conn:
            current = conn.execute(
                "SELECT state FROM session_files WHERE session_id=? AND idx=?", (session_id, idx)
            ).fetchone()
            session = conn.execute("SELECT * FROM sessions WHERE session_id=?", (session_id,)).fetchone()
            if current["state"] != "ingesting":  # cancelled or stopped meanwhile
                assets_store.collect_garbage(conn, self.state.blobs, [sha, thumb_sha] if thumb_sha else [sha])
                staged.unlink(missing_ok=True)
                return
            if verdict.code is None:
                custom = json.loads(f["custom_metadata"]) if f["custom_metadata"] else {}
                contents = NewContents(
                    f["filename"], f["kind"], verdict.mime, received["size"], verdict.width,
                    verdict.height, verdict.frames, sha, thumb_sha, custom,
                )  # fmt: skip
                keep = session["on_overwritten"].startswith("Keep")
                assets_store.upsert(
                    conn,
                    self.state.blobs,
                    session["org_id"],
                    session["dataset_id"],
                    contents,
                    keep,
                    now,
                )
                conn.execute(
                    "UPDATE session_files SET state='ingested', staged=NULL, updated=? WHERE session_id=? AND idx=?",
                    (now, session_id, idx),
                )
            else:
                staged.unlink(missing_ok=True)
                conn.execute(
                    "UPDATE session_files SET state='error', error_code=?, error_message=?, staged=NULL, updated=?"
                    " WHERE session_id=? AND idx=?",
                    (verdict.code, verdict.message, now, session_id, idx),
                )
                if session["failure_mode"] == "FailAfterOne":
                    sessions.fail_rest(conn, session_id, sessions.STOPPED_BY_FAILURE, now)
            sessions.finish_if_done(conn, session_id, now)
