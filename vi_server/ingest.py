"""The background ingestion worker and the deadline sweeper."""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
from pathlib import Path
from typing import Any

from vi_server import assets_store, sessions
from vi_server.assets_store import NewContents
from vi_server.fair_queue import FairQueue
from vi_server.inspect_image import Declared, Received, Verdict
from vi_server.inspect_pool import InspectPool, Job
from vi_server.state import ServerState, now_ms

log = logging.getLogger("vi_server.ingest")
BATCH = 32  # files claimed and recorded per transaction


class Ingestor:
    """Ingests uploaded files on worker threads; times out sessions whose files never come."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.queue: queue.Queue[tuple[str, int] | None] = FairQueue()  # round-robin across sessions
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.pool = InspectPool(state.config.ingest_workers)

    def start(self) -> None:
        """Start workers and the sweeper; re-queue files that were waiting before a restart."""
        with self.state.db.tx() as conn:
            conn.execute("UPDATE session_files SET state='uploaded' WHERE state='ingesting'")
            waiting = conn.execute("SELECT session_id, idx FROM session_files WHERE state='uploaded'").fetchall()
        for row in waiting:
            self.queue.put((row["session_id"], row["idx"]))
        self.pool.warm_up()
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
        self.pool.close()

    def enqueue(self, session_id: str, idx: int) -> None:
        """Ingest a file whose bytes have arrived."""
        self.queue.put((session_id, idx))

    def _work(self) -> None:
        stop = False
        while not stop and (first := self.queue.get()) is not None and not self.stopping.is_set():
            batch = [first]
            while len(batch) < BATCH:
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            try:
                self.ingest_batch(batch)
            except Exception:  # a bug must not kill the worker; the files are reported
                if self.stopping.is_set():
                    # Shutting down (the pool may be gone): the claimed files stay 'ingesting',
                    # which the next start() re-queues. Recording them as failed would lose them.
                    log.info("ingestion of %d file(s) left for the next start", len(batch))
                    return
                log.exception("ingestion of %s failed", batch)
                with self.state.db.tx() as conn:
                    for sid, idx in batch:
                        conn.execute(
                            "UPDATE session_files SET state='error', error_code='EUNKNOWN',"
                            " error_message='internal error while ingesting', updated=?"
                            " WHERE session_id=? AND idx=? AND state='ingesting'",
                            (now_ms(), sid, idx),
                        )
                        sessions.finish_if_done(conn, sid, now_ms())

    def _sweep(self) -> None:
        while not self.stopping.wait(self.state.config.sweep_interval_seconds):
            with self.state.db.tx() as conn:
                sessions.time_out(conn, now_ms())

    def ingest(self, session_id: str, idx: int) -> None:
        """Ingest one file (see `ingest_batch`)."""
        self.ingest_batch([(session_id, idx)])

    def ingest_batch(self, items: list[tuple[str, int]]) -> None:
        """Claim files in one transaction, inspect them outside the lock, record them in one transaction."""
        with self.state.db.tx() as conn:
            claimed = []
            for session_id, idx in items:
                f = conn.execute(
                    "SELECT * FROM session_files WHERE session_id=? AND idx=? AND state='uploaded'", (session_id, idx)
                ).fetchone()
                if f is not None:
                    conn.execute(
                        "UPDATE session_files SET state='ingesting' WHERE session_id=? AND idx=?", (session_id, idx)
                    )
                    claimed.append(f)
        jobs = [self._job(f) for f in claimed]
        outcomes = self.pool.run(jobs)
        now = now_ms()
        with self.state.db.tx() as conn:
            for f, job, outcome in zip(claimed, jobs, outcomes, strict=True):
                self._record(conn, f, outcome.verdict, job.received.size, job.sha256, outcome.thumb_sha256, now)
            for session_id in {f["session_id"] for f in claimed}:
                sessions.finish_if_done(conn, session_id, now)

    def _job(self, f: sqlite3.Row) -> Job:
        received: dict[str, Any] = json.loads(f["received"])
        return Job(
            f["staged"], Declared(f["size"], f["crc32c"], f["mime"], f["kind"]),
            Received(received["size"], received["crc32c"]), received["sha256"],
            self.state.config.thumbnail_size, str(self.state.config.data_dir),
        )  # fmt: skip

    def _record(
        self,
        conn: sqlite3.Connection,
        f: sqlite3.Row,
        verdict: Verdict,
        size: int,
        sha: str,
        thumb_sha: str,
        now: int,
    ) -> None:
        session_id, idx, staged = f["session_id"], f["idx"], Path(f["staged"])
        current = conn.execute(
            "SELECT state FROM session_files WHERE session_id=? AND idx=?", (session_id, idx)
        ).fetchone()
        if current["state"] != "ingesting":  # cancelled or stopped meanwhile
            assets_store.collect_garbage(conn, self.state.blobs, [sha, thumb_sha] if thumb_sha else [sha])
            staged.unlink(missing_ok=True)
            return
        session = conn.execute("SELECT * FROM sessions WHERE session_id=?", (session_id,)).fetchone()
        if verdict.code is None:
            custom = json.loads(f["custom_metadata"]) if f["custom_metadata"] else {}
            contents = NewContents(
                f["filename"], f["kind"], verdict.mime, size, verdict.width,
                verdict.height, verdict.frames, sha, thumb_sha, custom,
            )  # fmt: skip
            keep = session["on_overwritten"].startswith("Keep")
            assets_store.upsert(conn, self.state.blobs, session["org_id"], session["dataset_id"], contents, keep, now)
            conn.execute(
                "UPDATE session_files SET state='ingested', staged=NULL, updated=? WHERE session_id=? AND idx=?",
                (now, session_id, idx),
            )
            return
        staged.unlink(missing_ok=True)
        conn.execute(
            "UPDATE session_files SET state='error', error_code=?, error_message=?, staged=NULL, updated=?"
            " WHERE session_id=? AND idx=?",
            (verdict.code, verdict.message, now, session_id, idx),
        )
        if session["failure_mode"] == "FailAfterOne":
            sessions.fail_rest(conn, session_id, sessions.STOPPED_BY_FAILURE, now)
