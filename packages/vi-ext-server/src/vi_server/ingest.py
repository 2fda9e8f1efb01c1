"""The background ingestion worker and the sweeper (deadlines, idle sessions, garbage blobs, retries).

Failures of the bookkeeping itself (the database or the disk full, a file-system error) never kill
a worker: the files of the batch are released and retried later with a growing delay, so they
complete once space returns, without a restart (issue 14.2). Other unexpected errors fail the
files of the batch with ``EUNKNOWN``.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from vi_server import assets_store, sessions, shared_activity
from vi_server.assets_store import NewContents
from vi_server.fair_queue import FairQueue
from vi_server.ingest_notify import Listener
from vi_server.inspect_image import Declared, Received
from vi_server.inspect_pool import InspectPool, Job, Outcome
from vi_server.limits import Limits
from vi_server.s3_arrivals import Arrivals, refetch_instead
from vi_server.s3_blobs import remote_of
from vi_server.state import ServerState, now_ms
from vi_server.storage_errors import is_storage_error
from vi_server.store import Conn, Row

log = logging.getLogger("vi_server.ingest")
BATCH = 32  # files claimed and recorded per transaction
MAX_RETRY_SECONDS = 5.0
IDLE_CHECK_SECONDS = 1.0
DISCOVER_SECONDS = 0.05  # how often the ingestion role of `serve --workers N` looks for uploaded files
DISCOVER_LIMIT = 512
LOST = "the server lost the uploaded bytes before ingesting them (it was restarted); upload the file again"
Item = tuple[str, int]


def staging_leftovers(names: list[str], waiting: set[str], open_multiparts: set[str]) -> list[str]:
    """Staging entries nothing will use: interrupted PUTs, thumbnails, parts of finished uploads.

    Args:
        names: The file names in the staging directory.
        waiting: Names of staged files whose session file still waits for ingestion.
        open_multiparts: Ids of multipart uploads still open (their ``part-{id}-{n}`` files stay).

    Returns:
        The names to remove.
    """

    def kept(name: str) -> bool:
        if name in waiting:
            return True
        if name.startswith("part-"):
            return name.split("-")[1] in open_multiparts
        return False

    return [n for n in names if not kept(n)]


def old_enough(ages: dict[str, float], min_age: float) -> list[str]:
    """The names whose age (seconds since last written) is at least ``min_age``.

    Args:
        ages: Seconds since each staging file was last written, by name.
        min_age: With HTTP workers in other processes, a younger file may be a PUT still arriving.

    Returns:
        The names that may be removed as leftovers.
    """
    return [name for name, age in ages.items() if age >= min_age]


def discovered(rows: list[Item], known: set[Item]) -> list[Item]:
    """Uploaded files found in the database that are not queued or being ingested yet (order kept)."""
    return [item for item in rows if item not in known]


class Enqueuer(Protocol):
    """What the upload handlers call once a file's bytes are recorded."""

    def enqueue(self, session_id: str, idx: int) -> None:
        """Ingest a file whose bytes have arrived."""


def scrub(message: str, *paths: str) -> str:
    """``message`` without any server path in it (clients never learn the server's layout)."""
    for path in sorted(filter(None, paths), key=len, reverse=True):
        message = message.replace(path, "<upload>")
    return message


class Ingestor:
    """Ingests uploaded files on worker threads; ends sessions whose files never come."""

    def __init__(self, state: ServerState, discover: bool = False) -> None:
        """Prepare (nothing runs before `start`).

        Args:
            state: The server's state.
            discover: Find uploaded files by polling the database, for HTTP workers in other
                processes (``serve --workers N`` / ``--role ingest``); staging files younger than
                the body timeout are then never taken for leftovers.
        """
        self.state = state
        self.discover = discover
        self.lock = state.db.ingest_lock(state.config.data_dir)
        self.staging_grace = 2 * Limits.from_env().body_timeout  # a PUT idle longer is cut by the server
        self._known: set[Item] = set()  # discovered files queued or being ingested
        self._known_lock = threading.Lock()
        self.hints = Listener(state.config.data_dir, lambda item: self._found([item]))
        self.queue: queue.Queue[Item | None] = FairQueue()  # round-robin across sessions
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.pool = InspectPool(state.config.ingest_workers)
        self._retry_lock = threading.Lock()
        self._retries: list[tuple[float, list[Item], float]] = []  # (due, items, delay)
        s3 = remote_of(state.blobs)
        self.arrivals = None if s3 is None else Arrivals(state, s3, lambda sid, idx: self._found([(sid, idx)]))

    def start(self) -> None:
        """Clean staging, start workers and the sweeper; re-queue files that were waiting before a restart.

        Raises:
            IngestionBusyError: Another process runs the ingestion role on this data dir.
        """
        self.lock.acquire()
        with self.state.db.tx() as conn:
            conn.execute("UPDATE session_files SET state='uploaded' WHERE state='ingesting'")
            waiting = conn.execute(
                "SELECT session_id, idx, staged FROM session_files WHERE state='uploaded'"
            ).fetchall()
            multiparts = {r[0] for r in conn.execute("SELECT multipart_id FROM multipart_uploads WHERE state='open'")}
        self._clean_staging({Path(r["staged"]).name for r in waiting if r["staged"]}, multiparts)
        for row in waiting:
            self.queue.put((row["session_id"], row["idx"]))
        self.pool.warm_up()
        for n in range(self.state.config.ingest_workers):
            self._spawn(self._work, f"vi-ingest-{n}")
        self._spawn(self._sweep, "vi-sweeper")
        if self.discover:
            self._spawn(self._discover, "vi-discover")
            self.hints.start()
        if self.arrivals is not None:
            self._spawn(self._arrive, "vi-s3-arrivals")

    def _clean_staging(self, waiting: set[str], open_multiparts: set[str]) -> None:
        staging = self.state.blobs.staging
        names = [p.name for p in staging.iterdir()]
        if self.discover:  # HTTP workers may be writing some of them right now
            names = old_enough(_ages(staging, names), self.staging_grace)
        for name in staging_leftovers(names, waiting, open_multiparts):
            (staging / name).unlink(missing_ok=True)

    def _spawn(self, target: object, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self.threads.append(thread)

    def stop(self) -> None:
        """Stop all threads."""
        self.stopping.set()
        self.hints.stop()
        for _ in range(self.state.config.ingest_workers):
            self.queue.put(None)
        for thread in self.threads:
            thread.join(timeout=5)
        if self.arrivals is not None:
            self.arrivals.close()
        self.pool.close()
        self.lock.release()

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
            except Exception as exc:  # the worker must live on; the files are retried or reported
                if self.stopping.is_set():
                    # Shutting down (the pool may be gone): the claimed files stay 'ingesting',
                    # which the next start() re-queues. Recording them as failed would lose them.
                    log.info("ingestion of %d file(s) left for the next start", len(batch))
                    return
                self._failed(batch, exc)
            finally:
                with self._known_lock:
                    self._known.difference_update(batch)

    def _discover(self) -> None:
        """Queue files HTTP workers of other processes recorded as uploaded (claims stay atomic)."""
        config = self.state.config
        while not self.stopping.wait(DISCOVER_SECONDS):
            if self.queue.qsize() >= BATCH * config.ingest_workers:
                continue  # enough work queued; look again once it drains
            try:
                with self.state.db.read() as conn:
                    rows = conn.execute(
                        "SELECT session_id, idx FROM session_files WHERE state='uploaded' LIMIT ?", (DISCOVER_LIMIT,)
                    ).fetchall()
            except Exception as exc:  # e.g. the database is busy for long: look again
                log.warning("cannot look for uploaded files (%s); retried", exc)
                continue
            self._found([(r[0], r[1]) for r in rows])

    def _arrive(self) -> None:
        """Find uploads that arrived in the S3 bucket (see `vi_server.s3_arrivals`)."""
        assert self.arrivals is not None
        while not self.stopping.wait(self.state.config.sweep_interval_seconds):
            try:
                self.arrivals.tick()
            except Exception as exc:  # e.g. S3 unreachable: look again on the next tick
                log.warning("cannot look for uploads in the object store (%s); retried", exc)

    def _found(self, items: list[Item]) -> None:
        """Queue files found by polling or hinted by an HTTP worker, unless already queued."""
        with self._known_lock:
            new = discovered(items, self._known)
            self._known.update(new)
        for item in new:
            self.queue.put(item)

    def _failed(self, batch: list[Item], exc: Exception) -> None:
        """A batch raised: retry it when storage failed, otherwise report its files as EUNKNOWN."""
        if is_storage_error(exc):
            log.warning("ingestion bookkeeping failed (%s); %d file(s) retried later", exc, len(batch))
            self.retry_later(batch)
            return
        log.error("ingestion of %s failed", batch, exc_info=exc)
        try:
            with self.state.db.tx() as conn:
                now = now_ms()
                for sid, idx in batch:
                    conn.execute(
                        "UPDATE session_files SET state='error', error_code='EUNKNOWN',"
                        " error_message='internal error while ingesting', updated=?"
                        " WHERE session_id=? AND idx=? AND state IN ('uploaded','ingesting')",
                        (now, sid, idx),
                    )
                    sessions.finish_if_done(conn, sid, now)
        except Exception:
            log.exception("cannot record the failure of %d file(s); retried later", len(batch))
            self.retry_later(batch)

    def retry_later(self, batch: list[Item], delay: float | None = None) -> None:
        """Release ``batch`` (back to 'uploaded') and ingest it again after ``delay`` seconds."""
        delay = self.state.config.ingest_retry_seconds if delay is None else delay
        with self._retry_lock:
            self._retries.append((time.monotonic() + delay, batch, delay))

    def _requeue_due(self) -> None:
        now = time.monotonic()
        with self._retry_lock:
            due = [r for r in self._retries if r[0] <= now]
            self._retries = [r for r in self._retries if r[0] > now]
        for _, batch, delay in due:
            try:
                with self.state.db.tx() as conn:
                    conn.executemany(
                        "UPDATE session_files SET state='uploaded' WHERE session_id=? AND idx=? AND state='ingesting'",
                        batch,
                    )
            except Exception as exc:
                log.warning("cannot release %d file(s) yet (%s)", len(batch), exc)
                self.retry_later(batch, min(MAX_RETRY_SECONDS, delay * 2))
                continue
            for item in batch:
                self.queue.put(item)

    def _sweep(self) -> None:
        config = self.state.config
        idle_checked = 0.0
        while not self.stopping.wait(config.sweep_interval_seconds):
            try:
                self._requeue_due()
                closed: list[str] = []
                with self.state.db.tx() as conn:
                    now = now_ms()
                    sessions.time_out(conn, now)
                    if time.monotonic() - idle_checked >= IDLE_CHECK_SECONDS:  # it reads every open file
                        idle_checked = time.monotonic()
                        idle_ms = int(config.session_idle_timeout_seconds * 1000)
                        closed = sessions.close_idle(conn, now, idle_ms, self._last_seen(conn))
                        shared_activity.forget(conn, closed)
                for sid in closed:
                    self.state.activity.forget(sid)
                self.state.gc.sweep(now_ms())
            except Exception:  # e.g. the disk is full: try again on the next tick
                log.exception("sweep failed; retried")

    def _last_seen(self, conn: Conn) -> Callable[[str], float | None]:
        """Last activity per session: this process's PUTs and those HTTP workers published."""
        published = shared_activity.load(conn)
        local = self.state.activity.last_seen

        def last_seen(session_id: str) -> float | None:
            times = [t for t in (local(session_id), published.get(session_id)) if t is not None]
            return max(times) if times else None

        return last_seen

    def ingest_batch(self, items: list[Item]) -> None:
        """Claim files in one transaction, inspect them outside the lock, record them in one transaction.

        Args:
            items: ``(session_id, idx)`` of files whose bytes arrived.

        Raises:
            Exception: The bookkeeping failed; files claimed stay 'ingesting' with their staged bytes
                kept (see `retry_later`).
        """
        claimed = self._claim(items)
        if not claimed:
            return
        jobs = [self._job(f) for f in claimed]
        outcomes = self.pool.run(jobs)
        thumbs: list[Path | None] = []
        linked: list[str] = []
        try:
            for outcome in outcomes:  # written outside the lock; linked into place by the record transaction
                thumbs.append(
                    self.state.blobs.write_staging(outcome.verdict.thumbnail) if outcome.thumb_sha256 else None
                )
            with self.state.db.tx() as conn:
                now = now_ms()
                for f, job, outcome, thumb in zip(claimed, jobs, outcomes, thumbs, strict=True):
                    self._record(conn, f, job, outcome, thumb, now, linked)
                for session_id in {f["session_id"] for f in claimed}:
                    sessions.finish_if_done(conn, session_id, now)
        except BaseException:
            self.state.gc.suspect(linked)  # linked by a transaction that did not commit
            raise
        finally:
            for thumb in thumbs:
                if thumb is not None:
                    thumb.unlink(missing_ok=True)
        for f in claimed:  # only now: until the commit, a retry needs them
            self.state.blobs.discard_staged(Path(f["staged"]))

    def _claim(self, items: list[Item]) -> list[Row]:
        """Mark waiting files 'ingesting'; a file whose staged bytes are gone fails with a true reason."""
        claimed = []
        with self.state.db.tx() as conn:
            now = now_ms()
            for session_id, idx in items:
                f = conn.execute(
                    "SELECT * FROM session_files WHERE session_id=? AND idx=? AND state='uploaded'", (session_id, idx)
                ).fetchone()
                if f is None:
                    continue
                if not f["staged"] or not Path(f["staged"]).is_file():
                    if refetch_instead(conn, self.state.blobs, f):  # S3: the object is still staged
                        continue
                    conn.execute(
                        "UPDATE session_files SET state='error', error_code='EUNKNOWN', error_message=?, staged=NULL,"
                        " updated=? WHERE session_id=? AND idx=?",
                        (LOST, now, session_id, idx),
                    )
                    sessions.finish_if_done(conn, session_id, now)
                    continue
                conn.execute(
                    "UPDATE session_files SET state='ingesting' WHERE session_id=? AND idx=?", (session_id, idx)
                )
                claimed.append(f)
        return claimed

    def _job(self, f: Row) -> Job:
        received: dict[str, Any] = json.loads(f["received"])
        return Job(
            f["staged"], Declared(f["size"], f["crc32c"], f["mime"], f["kind"]),
            Received(received["size"], received["crc32c"]), received["sha256"],
            self.state.config.thumbnail_size, str(self.state.config.data_dir),
        )  # fmt: skip

    def _record(
        self,
        conn: Conn,
        f: Row,
        job: Job,
        outcome: Outcome,
        thumb: Path | None,
        now: int,
        linked: list[str],
    ) -> None:
        session_id, idx = f["session_id"], f["idx"]
        current = conn.execute(
            "SELECT state FROM session_files WHERE session_id=? AND idx=?", (session_id, idx)
        ).fetchone()
        if current is None or current["state"] != "ingesting":  # cancelled, stopped or its dataset deleted
            return
        session = conn.execute("SELECT * FROM sessions WHERE session_id=?", (session_id,)).fetchone()
        verdict = outcome.verdict
        if verdict.code is None and thumb is not None:
            # Bytes enter the blob store here, under the lock, in the transaction naming them.
            for source, digest in ((Path(job.staged), job.sha256), (thumb, outcome.thumb_sha256)):
                if self.state.blobs.link_in(source, digest):
                    linked.append(digest)
            custom = json.loads(f["custom_metadata"]) if f["custom_metadata"] else {}
            contents = NewContents(
                f["filename"], f["kind"], verdict.mime, job.received.size, verdict.width,
                verdict.height, verdict.frames, job.sha256, outcome.thumb_sha256, custom,
            )  # fmt: skip
            keep = session["on_overwritten"].startswith("Keep")
            assets_store.upsert(conn, session["org_id"], session["dataset_id"], contents, keep, now)
            conn.execute(
                "UPDATE session_files SET state='ingested', staged=NULL, updated=? WHERE session_id=? AND idx=?",
                (now, session_id, idx),
            )
            return
        message = scrub(verdict.message or "the file was not ingested", job.staged, job.data_dir)
        conn.execute(
            "UPDATE session_files SET state='error', error_code=?, error_message=?, staged=NULL, updated=?"
            " WHERE session_id=? AND idx=?",
            (verdict.code or "EUNKNOWN", message, now, session_id, idx),
        )
        if session["failure_mode"] == "FailAfterOne":
            sessions.fail_rest(conn, session_id, sessions.STOPPED_BY_FAILURE, now)


def _ages(folder: Path, names: list[str]) -> dict[str, float]:
    now = time.time()
    ages = {}
    for name in names:
        try:
            ages[name] = now - (folder / name).stat().st_mtime
        except FileNotFoundError:
            continue
    return ages
