"""Discover uploads that arrived in an S3 bucket, and sweep its staging area.

Clients PUT to URLs presigned by the object store, so the server never sees the bytes arrive.
The ingestion role lists the staging prefix every tick (one bounded LIST, resumed where the last
one stopped) and decides per object (`plan_staging`):

* the file still waits for its bytes -> fetch the object into local staging, digest it (size,
  crc32c, sha256) and record it as uploaded, exactly what a local PUT records; ingestion then
  checks it as today. A fetch that keeps failing is retried, then the file is reported failed
  (``EUNKNOWN``), never left waiting silently;
* the object is larger than the file may be -> the file fails with ``EBADSIZE`` unfetched;
* the file is being ingested -> kept (ingestion deletes it after the commit);
* the file is finished (ingested, failed, cancelled, timed out) or gone -> the object is deleted.

S3 multipart uploads under the prefix whose Vi multipart upload is no longer open (aborted,
cancelled, closed as idle, dataset deleted) are aborted (`plan_multiparts`).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from vi_server import s3_multipart, sessions
from vi_server.blobs import BlobStore, digest_file
from vi_server.s3_blobs import S3BlobStore, remote_of
from vi_server.s3_client import Listed, PendingMultipart, S3Error
from vi_server.state import ServerState, now_ms
from vi_server.store import Conn, Row

log = logging.getLogger("vi_server.s3")

LIST_LIMIT = 1000  # staged objects looked at per tick
FETCH_THREADS = 4
MAX_FETCH_ATTEMPTS = 5  # then the file is reported failed
SIZE_SLACK = 1 << 20  # like a local PUT: up to this much more than declared is still read (then EBADSIZE)
ORPHAN_MULTIPART_SECONDS = 60.0  # an unrecorded S3 multipart upload younger than this may not be committed yet
WAITING = "pending"
BUSY = ("uploaded", "ingesting")
FETCH_FAILED = "the uploaded object could not be read from the object store: {}"


@dataclass(frozen=True)
class StagedFile:
    """What the database says about the file an object was uploaded for."""

    session_id: str
    idx: int
    state: str
    size: int


@dataclass
class StagingPlan:
    """What to do with the staged objects of one listing."""

    fetch: list[tuple[Listed, StagedFile]] = field(default_factory=list)
    oversize: list[tuple[Listed, StagedFile]] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)


def plan_staging(objects: dict[str, Listed], files: dict[str, StagedFile], fetching: set[str]) -> StagingPlan:
    """Decide, per staged object, whether to fetch it, fail its file, keep it or delete it.

    Args:
        objects: Staged objects by upload id.
        files: The files of those upload ids that the database knows.
        fetching: Upload ids being fetched right now.

    Returns:
        The plan (see the module docstring).
    """
    plan = StagingPlan()
    for upload_id, obj in objects.items():
        f = files.get(upload_id)
        if f is None or f.state not in (WAITING, *BUSY):
            plan.delete.append(obj.key)
        elif f.state == WAITING and upload_id not in fetching:
            target = plan.oversize if obj.size > f.size + SIZE_SLACK else plan.fetch
            target.append((obj, f))
    return plan


def plan_multiparts(uploads: list[PendingMultipart], still_open: set[str], known: set[str]) -> list[PendingMultipart]:
    """The S3 multipart uploads to abort: their Vi upload is closed, or unknown and not brand new.

    Args:
        uploads: S3 multipart uploads in progress under the staging prefix.
        still_open: Their ids whose Vi multipart upload is open.
        known: Their ids the server recorded at all.

    Returns:
        Those to abort.
    """
    return [
        u
        for u in uploads
        if u.upload_id not in still_open and (u.upload_id in known or u.age_seconds >= ORPHAN_MULTIPART_SECONDS)
    ]


class Arrivals:
    """Runs `plan_staging`/`plan_multiparts` on each tick; fetches on a few threads."""

    def __init__(self, state: ServerState, store: S3BlobStore, enqueue: Callable[[str, int], None]) -> None:
        self.state = state
        self.store = store
        self.enqueue = enqueue
        self.pool = ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="vi-s3-fetch")
        self._fetching: set[str] = set()
        self._attempts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._after = ""  # where the next listing starts (a large staging area is walked over ticks)

    def close(self) -> None:
        """Stop fetching (fetches in flight finish; their files are found again after a restart)."""
        self.pool.shutdown(wait=True, cancel_futures=True)

    def tick(self) -> None:
        """List staging once; fetch, fail, delete and abort as planned.

        Raises:
            S3Error: The bucket could not be listed (the caller tries again on the next tick).
        """
        prefix = self.store.staging_prefix()
        listed = self.store.client.list_objects(prefix, LIST_LIMIT, self._after)
        self._after = listed[-1].key if len(listed) >= LIST_LIMIT else ""
        objects = {o.key[len(prefix) :]: o for o in listed if "/" not in o.key[len(prefix) :]}
        with self.state.db.read() as conn:
            files = _files(conn, list(objects))
        with self._lock:
            plan = plan_staging(objects, files, self._fetching)
            for obj, _ in plan.fetch:
                self._fetching.add(obj.key[len(prefix) :])
        for key in plan.delete:
            self.store.client.delete(key)
        for obj, f in plan.oversize:
            self._fail(obj.key[len(prefix) :], f, "EBADSIZE", f"declared {f.size} bytes, received {obj.size}")
            self.store.client.delete(obj.key)
        for obj, f in plan.fetch:
            self.pool.submit(self._fetch, obj.key[len(prefix) :], f, obj.size)
        self._abort_closed_multiparts(prefix)

    def _abort_closed_multiparts(self, prefix: str) -> None:
        uploads = self.store.client.list_multiparts(prefix, LIST_LIMIT)
        if not uploads:
            return
        ids = [u.upload_id for u in uploads]
        with self.state.db.read() as conn:
            still_open, known = s3_multipart.open_uploads(conn, ids), s3_multipart.known_uploads(conn, ids)
        for upload in plan_multiparts(uploads, still_open, known):
            self.store.client.abort_multipart(upload.key, upload.upload_id)

    def _fetch(self, upload_id: str, f: StagedFile, size: int) -> None:
        """Fetch one staged object, digest it and record it as uploaded (or count a failure)."""
        target = self.store.fetched_path(upload_id)
        partial = target.with_name(target.name + ".part")
        try:
            self.store.client.download(self.store.staging_key(upload_id), partial, size)
            with partial.open("rb") as handle:
                digests = digest_file(handle)
            received = {"size": digests.size, "crc32c": digests.crc32c_signed(), "sha256": digests.sha256.hexdigest()}
            with self.state.db.tx() as conn:
                changed = conn.execute(
                    "UPDATE session_files SET state='uploaded', staged=?, received=?, updated=?"
                    " WHERE upload_id=? AND state='pending'",
                    (str(target), json.dumps(received), now_ms(), upload_id),
                ).rowcount
                if changed:  # in the transaction: a fetch that lost a race never touches the file in use
                    os.replace(partial, target)
            partial.unlink(missing_ok=True)  # not recorded: fetched meanwhile, cancelled or timed out
            if changed:
                self.enqueue(f.session_id, f.idx)
            self._attempts.pop(upload_id, None)
        except S3Error as exc:
            partial.unlink(missing_ok=True)
            attempts = self._attempts.get(upload_id, 0) + 1
            self._attempts[upload_id] = attempts
            log.warning("fetching upload %s failed (attempt %d): %s", upload_id, attempts, exc)
            if attempts >= MAX_FETCH_ATTEMPTS:
                self._attempts.pop(upload_id, None)
                self._fail(upload_id, f, "EUNKNOWN", FETCH_FAILED.format(exc.code or "unreachable"))
        except Exception:  # e.g. the local disk is full: the object stays, the next tick tries again
            partial.unlink(missing_ok=True)
            log.exception("fetching upload %s failed; retried", upload_id)
        finally:
            with self._lock:
                self._fetching.discard(upload_id)

    def _fail(self, upload_id: str, f: StagedFile, code: str, message: str) -> None:
        """Report a waiting file failed (FailAfterOne then stops the rest of its session)."""
        with self.state.db.tx() as conn:
            now = now_ms()
            changed = conn.execute(
                "UPDATE session_files SET state='error', error_code=?, error_message=?, updated=?"
                " WHERE upload_id=? AND state='pending'",
                (code, message, now, upload_id),
            ).rowcount
            if not changed:
                return
            session = conn.execute("SELECT failure_mode FROM sessions WHERE session_id=?", (f.session_id,)).fetchone()
            if session is not None and session["failure_mode"] == "FailAfterOne":
                sessions.fail_rest(conn, f.session_id, sessions.STOPPED_BY_FAILURE, now)
            sessions.finish_if_done(conn, f.session_id, now)


def refetch_instead(conn: Conn, blobs: BlobStore, f: Row) -> bool:
    """A file recorded as uploaded whose local copy is gone: on S3, fetch it again if it is still staged.

    The local copy lives on the host of the process that fetched it; after a move to another host,
    or a wiped data dir, the object in staging (deleted only once the file is recorded) still
    holds the bytes, so the file goes back to waiting and the next tick fetches it again.

    Args:
        conn: The connection, inside the claiming transaction.
        blobs: The blob store.
        f: The ``session_files`` row.

    Returns:
        Whether the file was put back to waiting (``False``: local store, or the object is gone).

    Raises:
        S3Error: The bucket could not be asked (the claim is retried).
    """
    s3 = remote_of(blobs)
    if s3 is None or s3.client.size_of(s3.staging_key(f["upload_id"])) is None:
        return False
    conn.execute(
        "UPDATE session_files SET state='pending', staged=NULL, received=NULL WHERE session_id=? AND idx=?",
        (f["session_id"], f["idx"]),
    )
    return True


def _files(conn: Conn, upload_ids: list[str]) -> dict[str, StagedFile]:
    found: dict[str, StagedFile] = {}
    for start in range(0, len(upload_ids), 500):
        chunk = upload_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT upload_id, session_id, idx, state, size FROM session_files WHERE upload_id IN ({marks})", chunk
        ).fetchall()
        found.update({r[0]: StagedFile(r[1], r[2], r[3], r[4]) for r in rows})
    return found
