"""Image inspection in worker processes, so decoding never competes with HTTP serving for the GIL.

The server answers HTTP on one event-loop thread; decoding, thumbnailing and storing blobs on
threads of the same process made every PUT wait for the GIL. Here that work runs in a small
pool of spawned processes. A worker that dies (a decoder crash on a hostile file) takes down
only its batch: the pool is rebuilt and each file of the batch is retried alone, so the file
that kills a worker again is reported as ``ECORRUPT`` and the others are ingested.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from vi_server.inspect_image import Declared, Received, Verdict, inspect
from vi_server.worker_guard import die_with_parent

log = logging.getLogger("vi_server.ingest")


@dataclass(frozen=True)
class Job:
    """One staged file to inspect (plain values: it crosses a process boundary)."""

    staged: str
    declared: Declared
    received: Received
    sha256: str
    thumbnail_size: int
    data_dir: str


@dataclass(frozen=True)
class Outcome:
    """The verdict (with the thumbnail's bytes) and the thumbnail's sha256 ("" on failure)."""

    verdict: Verdict
    thumb_sha256: str


def run_job(job: Job) -> Outcome:
    """Inspect one file; a good image's verdict carries its thumbnail (nothing is stored here).

    The bytes and the thumbnail enter the blob store only in the transaction that records the
    asset (see `vi_server.blob_gc`).
    """
    verdict = inspect(Path(job.staged), job.declared, job.received, job.thumbnail_size)
    if verdict.code is not None:
        return Outcome(verdict, "")
    return Outcome(verdict, hashlib.sha256(verdict.thumbnail).hexdigest())


def _warm() -> None:
    """A no-op task: unpickling it imports this module, which loads Pillow and its plugins."""


CRASHED = Verdict("ECORRUPT", "the image crashed the server's decoder")


class InspectPool:
    """A process pool that survives its workers dying."""

    def __init__(self, workers: int, task: Callable[[Job], Outcome] = run_job) -> None:
        self.workers = max(1, workers)
        self.task = task  # module-level (it is pickled by name); tests swap in one that crashes
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the server process has threads and an open SQLite connection.
        # Workers die with the server even on SIGKILL (no orphans holding memory).
        return ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=die_with_parent, initargs=(os.getpid(),),
        )  # fmt: skip

    def warm_up(self) -> None:
        """Start the workers now rather than on the first upload."""
        with self._lock:
            for _ in range(self.workers):
                self._pool.submit(_warm)

    def run(self, jobs: Sequence[Job]) -> list[Outcome]:
        """Outcomes in the order of ``jobs``."""
        with self._lock:
            pool = self._pool
        try:
            return list(pool.map(self.task, jobs))
        except BrokenProcessPool:
            log.warning("an inspection worker died; retrying %d file(s) one by one", len(jobs))
            self._rebuild(pool)
        return [self._alone(job) for job in jobs]

    def _alone(self, job: Job) -> Outcome:
        for _ in range(3):  # a pool broken meanwhile by another batch's file gets rebuilt
            with self._lock:
                pool = self._pool
            try:
                return pool.submit(self.task, job).result()
            except BrokenProcessPool:
                self._rebuild(pool)
        log.error("inspecting %s kills the worker: reported as ECORRUPT", job.staged)
        Path(job.staged).unlink(missing_ok=True)
        return Outcome(CRASHED, "")

    def _rebuild(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()

    def close(self) -> None:
        """Stop the workers."""
        with self._lock:
            self._pool.shutdown(wait=True, cancel_futures=True)
