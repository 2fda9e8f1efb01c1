"""Batched concurrent uploads: checksums, sessions, signed PUTs, waiting, and the per-file outcome."""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import httpx

from vi_ext import convert
from vi_ext import models as m
from vi_ext._generated import models as g
from vi_ext._generated.api.ingestion import (
    cancel_asset_ingestion_session,
    create_asset_ingestion_session,
    get_asset_ingestion_session,
)
from vi_ext.api import ApiClient
from vi_ext.breaker import Breaker
from vi_ext.checksums import file_crc32c
from vi_ext.codes import FailureCode
from vi_ext.custom_metadata import CustomMetadataArg, resolve
from vi_ext.errors import ViError, ViNetworkError, ViUploadError, ViUploadInterruptedError
from vi_ext.files import CHANGED, NOT_SENT, UNREADABLE, LocalFile, Selection, display_path
from vi_ext.multipart import MultipartUploader
from vi_ext.overwrites import existing_names
from vi_ext.polling import wait_for
from vi_ext.progress import INGEST, UPLOAD, Reporter
from vi_ext.results import SERVER_SKIPPED, AssetUploadResult, FileFailure, first_cause
from vi_ext.retry import DeadUrl, RetryPolicy
from vi_ext.signed_put import PutClosed, PutDone, PutFailed, signed_put
from vi_ext.wire import SOURCE

__all__ = ["SOURCE", "UPLOAD_FAILED", "CustomMetadataArg", "UploadOptions", "Uploader"]

UPLOAD_FAILED = FailureCode.UPLOAD_FAILED
URL_REFRESH_ROUNDS = 3
log = logging.getLogger(__name__)
STOPPED = "not sent: the session stopped after the first failure (FailAfterOne)"
STOPPED_UPLOAD = "not sent: the upload stopped after the first failure (FailAfterOne)"
FIRST_BATCH = 250  # files in the first session: a small one starts the first PUT at once (see `batch_sizes`)
CHECK_WORKERS = 4  # threads computing checksums of the next chunk while the current batch is sent
RESUME = "run the same upload again with skip_existing=True (CLI: --skip-existing) to send only what is missing"


@dataclass(frozen=True)
class UploadOptions:
    """Everything `upload` was asked for."""

    failure_mode: str
    on_asset_overwritten: str
    batch_size: int
    max_workers: int
    wait: bool
    timeout: float | None
    custom_metadata: CustomMetadataArg = None


@dataclass
class _Tracked:
    """Where each file stands."""

    session_of: dict[str, str] = field(default_factory=dict)  # local path -> session id
    failures: dict[str, FileFailure] = field(default_factory=dict)  # local path -> client failure
    abandoned: dict[str, set[str]] = field(default_factory=dict)  # session id -> filenames never PUT
    existing: set[str] = field(default_factory=set)  # local paths already in the dataset (skip_existing)
    closed: dict[str, str] = field(default_factory=dict)  # local path -> storage's 409 (session stopped)
    stopped: set[str] = field(default_factory=set)  # sessions that no longer accept uploads
    replaces: set[str] = field(default_factory=set)  # asset filenames that existed before the upload
    metadata: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # local path -> custom metadata
    unanswered: set[str] = field(default_factory=set)  # local paths whose last attempt got no answer
    bytes_sent: int = 0


_Closed = PutClosed  # storage refused a file with 409: its session stopped (the server reports the file's code)
Refresh = DeadUrl  # the signed URL is dead (403 or expired): the file goes into a fresh session

_Outcome: TypeAlias = "FileFailure | DeadUrl | PutClosed | None"


class Uploader:
    """Runs one `assets.upload` call."""

    def __init__(
        self,
        api: ApiClient,
        storage: Callable[[], httpx.Client],
        policy: RetryPolicy,
        reporter: Reporter,
        sleep: Callable[[float], None] = time.sleep,
        multipart_threshold: int = 64 << 20,
    ) -> None:
        self.multipart_threshold = multipart_threshold
        self._lock = threading.Lock()
        self._bytes_sent = 0
        self.api = api
        self.storage = storage
        self.policy = policy
        self.reporter = reporter
        self.sleep = sleep
        self.org = api.credentials.organization_id
        self.breaker = Breaker()
        self._tracked = _Tracked()

    # ------------------------------------------------------------------ orchestration
    def run(
        self,
        dataset: str,
        selection: Selection,
        opts: UploadOptions,
        find_existing: Callable[[list[LocalFile]], set[str]] | None = None,
    ) -> AssetUploadResult:
        """Upload ``selection`` into ``dataset`` (composite id); never raises mid-batch.

        A pipeline: while one batch's session is created and its files sent, the next batch's
        checksums, existence checks and overwrite checks run (`_prepared`), so the first PUT does
        not wait for a pass over every file.

        ``find_existing``: for ``skip_existing``, given a chunk of files, the local paths already in
        the dataset (asked per chunk); they count as succeeded and are not sent.
        Under FailAfterOne, once a session stops (storage answers 409, or its status shows an
        error) nothing more is sent: the rest is `NOT_SENT`, and later batches are not started.

        Raises:
            ViValidationError: a file's custom metadata cannot be sent (before anything is sent).
            ViUploadInterruptedError: the endpoint stopped answering (``.result`` holds the rest).
            ViUploadError: the upload could not go on (``.result`` holds what was done).
        """
        tracked = _Tracked()
        self._tracked = tracked
        for rejected in selection.rejected:
            tracked.failures[rejected.local] = FileFailure(
                rejected.local, rejected.filename, rejected.code, rejected.message
            )
        sessions: dict[str, m.AssetIngestionSession] = {}
        files = selection.files
        for f in files:  # every file's metadata is checked before anything is sent; a manifest entry's wins
            given = f.custom_metadata if f.custom_metadata is not None else opts.custom_metadata
            tracked.metadata[f.local] = resolve(given, f.local, display_path(f.local))
        self.reporter.start(UPLOAD, len(files), sum(f.size for f in files))
        stop_after_one = opts.failure_mode == "FailAfterOne"
        with (
            ThreadPoolExecutor(max_workers=opts.max_workers, thread_name_prefix="vi-upload") as pool,
            ThreadPoolExecutor(
                max_workers=min(CHECK_WORKERS, opts.max_workers), thread_name_prefix="vi-check"
            ) as checks,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="vi-prepare") as ahead,
        ):
            batches = self._prepared(dataset, files, opts.batch_size, find_existing, checks, ahead)
            try:
                for batch, crcs, rest in batches:
                    if sessions and stop_after_one and tracked.failures:  # a file of this batch failed its checks
                        self._not_sent(files, tracked, STOPPED_UPLOAD)
                        break
                    created = self._batch(dataset, batch, crcs, opts, pool, tracked, sessions)
                    if self.breaker.is_open:
                        self._not_sent(files, tracked, f"not sent: {self.breaker.describe()}")
                        raise ViNetworkError(self.breaker.describe())
                    if rest and stop_after_one and self._must_stop(dataset, created, opts):
                        self._not_sent(files, tracked, STOPPED_UPLOAD)
                        break
            except ViError as exc:
                self.reporter.close()
                if not sessions:  # nothing happened yet: the error itself is the clearest answer
                    raise
                self._not_sent(files, tracked, f"not sent: the upload stopped ({exc.message})")
                raise self._stopped_error(exc, self._result(selection, tracked, sessions, waited=False)) from exc
            finally:
                batches.close()  # a chunk prepared ahead is awaited (by the executor), not used
        tracked.bytes_sent = self._bytes_sent
        try:
            if opts.wait:
                self._wait(dataset, sessions, tracked, opts.timeout, selection)
            else:  # one look at stopped sessions: their codes say which files the server skipped
                for sid in tracked.stopped:
                    sessions[sid] = self.get_session(dataset, sid)
        except ViNetworkError as exc:
            raise self._stopped_error(exc, self._result(selection, tracked, sessions, waited=False)) from exc
        finally:
            self.reporter.close()  # after the ingest phase, which `_wait` reports
        return self._result(selection, tracked, sessions, waited=opts.wait)

    def _stopped_error(self, exc: ViError, result: AssetUploadResult) -> ViUploadError:
        """The error that ends a call midway: the endpoint unreachable (with how to resume), or ``exc``."""
        if isinstance(exc, ViNetworkError):
            message = (
                exc.message if self.breaker.is_open else f"{exc.message} (endpoint {self.api.credentials.endpoint})"
            )
            not_sent = sum(1 for f in result.failures if f.code == NOT_SENT)
            return ViUploadInterruptedError(
                f"upload stopped: {message}; {not_sent} of {result.total_files} files were not sent; {RESUME}",
                result=result,
            )
        return ViUploadError(f"upload stopped: {exc.message}", result=result, status_code=exc.status_code)

    def _must_stop(self, dataset: str, created: list[str], opts: UploadOptions) -> bool:
        """FailAfterOne between batches: a failure so far, or in the sessions just sent, stops the upload.

        Ingestion runs after the bytes arrive, so the batch's sessions are waited for first.
        """
        tracked = self._tracked
        if tracked.failures or any(sid in tracked.stopped for sid in created):
            return True
        for sid in created:
            abandoned = len(tracked.abandoned.get(sid, ()))
            session = wait_for(
                functools.partial(self.get_session, dataset, sid),
                functools.partial(_settled, abandoned=abandoned),
                opts.timeout,
                f"ingestion session {sid}",
                self.sleep,
            )
            if session.status.errors():
                return True
        return False

    def _not_sent(self, files: list[LocalFile], tracked: _Tracked, message: str) -> None:
        """Files that have no session, no outcome and were not found in the dataset yet are `NOT_SENT`."""
        for f in files:
            if (
                f.local not in tracked.session_of
                and f.local not in tracked.failures
                and f.local not in tracked.existing
            ):
                tracked.failures[f.local] = FileFailure(f.local, f.filename, NOT_SENT, message)

    def _prepared(
        self,
        dataset: str,
        files: list[LocalFile],
        batch_size: int,
        find_existing: Callable[[list[LocalFile]], set[str]] | None,
        checks: ThreadPoolExecutor,
        ahead: ThreadPoolExecutor,
    ) -> Generator[tuple[list[LocalFile], dict[str, int | None], bool], None, None]:
        """Batches of sendable files with their checksums, one chunk of checks always running ahead.

        Files are checked in chunks of ``batch_size`` (in ``ahead``, their checksums in parallel
        in ``checks``): which are already in the dataset (``find_existing``), which names exist
        (so their upload replaces an asset), each file's crc32c. Files that cannot be read or no
        longer match their manifest line become failures here; the rest fill batches in input
        order, sized by `batch_sizes` (small first ones, so sending starts at once).

        Yields:
            ``(batch, crcs, more)``: the files, their checksums, and whether files follow.
        """
        tracked = self._tracked
        sizes = batch_sizes(batch_size, len(files))
        chunks, start = [], 0
        for size in sizes:
            chunks.append(files[start : start + size])
            start += size

        def check(chunk: list[LocalFile]) -> tuple[set[str], list[int | None], set[str]]:
            there = find_existing(chunk) if find_existing is not None else set()
            todo = [f for f in chunk if f.local not in there]
            names = checks.submit(existing_names, self.api, dataset, [f.filename for f in todo])
            crcs = list(checks.map(self._crc_or_none, todo))
            return there, crcs, names.result()

        buffer: list[LocalFile] = []
        sent = 0  # batches yielded: the next one holds sizes[sent] files
        crcs: dict[str, int | None] = {}
        pending: Future[tuple[set[str], list[int | None], set[str]]] | None = None
        try:
            pending = ahead.submit(check, chunks[0]) if chunks else None
            for i, chunk in enumerate(chunks):
                assert pending is not None
                there, values, replaces = pending.result()
                pending = ahead.submit(check, chunks[i + 1]) if i + 1 < len(chunks) else None
                tracked.replaces |= replaces
                if there:
                    tracked.existing |= there
                    found = [f for f in chunk if f.local in there]
                    self.reporter.advance(files=len(found), nbytes=sum(f.size for f in found))
                todo = [f for f in chunk if f.local not in there]
                for f, crc in zip(todo, values, strict=True):
                    if crc is None:
                        tracked.failures[f.local] = FileFailure(
                            f.local, f.filename, UNREADABLE, "the file could not be read"
                        )
                    elif f.crc32c is not None and crc != f.crc32c:
                        tracked.failures[f.local] = FileFailure(
                            f.local, f.filename, CHANGED, "its crc32c differs from the manifest's (the file changed)"
                        )
                    else:
                        buffer.append(f)
                        crcs[f.local] = crc
                while len(buffer) >= (size := sizes[sent] if sent < len(sizes) else batch_size):
                    batch, buffer = buffer[:size], buffer[size:]
                    sent += 1
                    yield batch, {f.local: crcs.pop(f.local) for f in batch}, bool(buffer) or i + 1 < len(chunks)
            if buffer:
                yield buffer, crcs, False
        finally:
            if pending is not None:
                pending.cancel()

    def _crc_or_none(self, f: LocalFile) -> int | None:
        try:
            return file_crc32c(f.path)
        except OSError:
            return None

    def _batch(
        self,
        dataset: str,
        batch: list[LocalFile],
        crcs: dict[str, int | None],
        opts: UploadOptions,
        pool: ThreadPoolExecutor,
        tracked: _Tracked,
        sessions: dict[str, m.AssetIngestionSession],
    ) -> list[str]:
        """Send one batch (a new session for files whose URL died); return the sessions created."""
        created: list[str] = []
        pending = batch
        for _ in range(URL_REFRESH_ROUNDS):
            if not pending or self.breaker.is_open:
                break
            session = self.create_session(dataset, pending, crcs, opts)
            sid = session.asset_ingestion_session_id
            sessions[sid] = session
            created.append(sid)
            uploads = {a.metadata.filename: a.upload for a in session.status.assets or []}
            send = functools.partial(
                self._send_one, uploads=uploads, dataset=dataset, ingestion_id=session.ingestion_id, sid=sid,
                stop_on_close=opts.failure_mode == "FailAfterOne",
            )  # fmt: skip
            outcomes = list(pool.map(send, pending))
            refresh: list[LocalFile] = []
            for f, outcome in zip(pending, outcomes, strict=True):
                tracked.session_of[f.local] = sid
                if outcome is None:
                    tracked.failures.pop(f.local, None)
                    continue
                tracked.abandoned.setdefault(sid, set()).add(f.filename)
                if isinstance(outcome, Refresh) and sid not in tracked.stopped:
                    refresh.append(f)
                elif isinstance(outcome, Refresh):
                    tracked.failures[f.local] = FileFailure(f.local, f.filename, NOT_SENT, STOPPED)
                elif isinstance(outcome, _Closed):
                    tracked.failures.pop(f.local, None)
                    tracked.closed[f.local] = outcome.message
                else:
                    tracked.failures[f.local] = outcome
            pending = refresh
        if self.breaker.is_open:  # gave up before the breaker opened, for the same reason: not sent
            for f in batch:
                failure = tracked.failures.get(f.local)
                if failure is not None and f.local in tracked.unanswered and failure.code == UPLOAD_FAILED:
                    tracked.failures[f.local] = FileFailure(
                        f.local, f.filename, NOT_SENT, f"not sent: {failure.message}; {self.breaker.describe()}"
                    )
        for f in pending:
            if self.breaker.is_open:
                tracked.failures[f.local] = FileFailure(
                    f.local, f.filename, NOT_SENT, f"not sent: {self.breaker.describe()}"
                )
            else:
                tracked.failures[f.local] = FileFailure(
                    f.local, f.filename, UPLOAD_FAILED, f"storage refused {URL_REFRESH_ROUNDS} fresh signed URLs (403)"
                )
        return created

    def create_session(
        self, dataset: str, files: list[LocalFile], crcs: dict[str, int | None], opts: UploadOptions
    ) -> m.AssetIngestionSession:
        """POST an ingestion session for ``files``."""
        assets = [
            {"filename": f.filename, "mime": f.mime, "size": f.size, "crc32c": crcs[f.local],
             "customMetadata": self._tracked.metadata.get(f.local), "kind": "Image"}
            for f in files
        ]  # fmt: skip
        body = g.AssetIngestionSessionCreate.from_dict(
            {
                "spec": {
                    "assets": assets,
                    "kind": "Upload",
                    "failureMode": opts.failure_mode,
                    "onAssetOverwritten": opts.on_asset_overwritten,
                }
            }
        )
        return self.api.call(
            create_asset_ingestion_session,
            lambda d: convert.session(g.AssetIngestionSession.from_dict(d), self.org),
            self.org, dataset, *SOURCE, body=body,
        )  # fmt: skip

    # ------------------------------------------------------------------ one file's bytes
    def _sent(self, f: LocalFile) -> None:
        with self._lock:
            self._bytes_sent += f.size
        self.reporter.advance(files=1, nbytes=f.size)

    def _send_one(
        self,
        f: LocalFile,
        *,
        uploads: dict[str, m.Contents],
        dataset: str,
        ingestion_id: str,
        sid: str,
        stop_on_close: bool,
    ) -> _Outcome:
        """Send ``f`` unless its session stopped or the endpoint is unreachable."""
        if self.breaker.is_open:
            return FileFailure(f.local, f.filename, NOT_SENT, f"not sent: {self.breaker.describe()}")
        if sid in self._tracked.stopped:
            return FileFailure(f.local, f.filename, NOT_SENT, STOPPED)
        outcome = self._send(f, uploads.get(f.filename), dataset, ingestion_id)
        if isinstance(outcome, _Closed) and stop_on_close:
            self._tracked.stopped.add(sid)
        return outcome

    def _send(self, f: LocalFile, upload: m.Contents | None, dataset: str, ingestion_id: str) -> _Outcome:
        """Send one file: a streamed PUT, or multipart at or above the threshold; ``None`` on success."""
        outcome: PutDone | DeadUrl | PutClosed | PutFailed | None
        if f.size >= self.multipart_threshold:
            outcome = MultipartUploader(self.api, self.storage(), self.policy, self.sleep, self.breaker).upload(
                dataset, SOURCE, ingestion_id, f
            )
        elif upload is None:
            return FileFailure(f.local, f.filename, UPLOAD_FAILED, "the session answer has no upload URL for this file")
        else:
            outcome = signed_put(
                self.storage(), upload.method or "PUT", upload.url, dict(upload.headers or {}), f.size,
                lambda: f.path.open("rb"), self.policy, self.sleep, upload.expiry, self.breaker,
            )  # fmt: skip
        if outcome is None or isinstance(outcome, PutDone):
            self._sent(f)
            return None
        if isinstance(outcome, DeadUrl):
            log.info("the signed URL of %s is dead (403 or expired): it goes into a fresh session", f.filename)
            return outcome
        if isinstance(outcome, PutClosed):
            return outcome
        if outcome.unreachable:
            return FileFailure(f.local, f.filename, NOT_SENT, f"not sent: {outcome.message}")
        if outcome.transport:
            self._tracked.unanswered.add(f.local)
        return FileFailure(f.local, f.filename, UNREADABLE if outcome.unreadable else UPLOAD_FAILED, outcome.message)

    # ------------------------------------------------------------------ waiting and the result
    def get_session(self, dataset: str, sid: str) -> m.AssetIngestionSession:
        """GET an ingestion session."""
        return self.api.call(
            get_asset_ingestion_session,
            lambda d: convert.session(g.AssetIngestionSession.from_dict(d), self.org),
            self.org, dataset, *SOURCE, sid,
        )  # fmt: skip

    def _wait(
        self,
        dataset: str,
        sessions: dict[str, m.AssetIngestionSession],
        tracked: _Tracked,
        timeout: float | None,
        selection: Selection,
    ) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        sent = {sid: s.status.progressCount.total - len(tracked.abandoned.get(sid, ())) for sid, s in sessions.items()}
        if sum(sent.values()):
            self.reporter.start(INGEST, sum(sent.values()), 0)
        for sid in list(sessions):
            abandoned = len(tracked.abandoned.get(sid, ()))
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                sessions[sid] = wait_for(
                    functools.partial(self._poll, dataset, sid, [0], sent[sid]),
                    functools.partial(_settled, abandoned=abandoned),
                    left,
                    f"ingestion session {sid}",
                    self.sleep,
                )
            except ViNetworkError:
                raise
            except ViError as exc:
                partial = self._result(selection, tracked, sessions, waited=False)
                if hasattr(exc, "partial_result"):
                    exc.partial_result = partial
                raise
            if not sessions[sid].is_finished:  # only abandoned files left: close it server-side
                self._cancel(dataset, sid)

    def _poll(self, dataset: str, sid: str, reported: list[int], sent: int) -> m.AssetIngestionSession:
        """GET the session and report newly settled files (``reported``: how many so far, of ``sent``)."""
        session = self.get_session(dataset, sid)
        pc = session.status.progressCount
        settled = min(pc.succeeded + pc.errored, sent)
        if settled > reported[0]:
            self.reporter.advance(files=settled - reported[0])
            reported[0] = settled
        return session

    def _cancel(self, dataset: str, sid: str) -> None:
        with contextlib.suppress(ViError):  # best effort: the session expires by itself
            self.api.call(cancel_asset_ingestion_session, None, self.org, dataset, *SOURCE, sid)

    def _result(
        self,
        selection: Selection,
        tracked: _Tracked,
        sessions: dict[str, m.AssetIngestionSession],
        waited: bool,
    ) -> AssetUploadResult:
        errors = {sid: (s.status.errors(), s.status.corrections()) for sid, s in sessions.items()}
        failures: list[FileFailure] = []
        consequences: set[str] = set()  # local paths that failed only because a session stopped
        succeeded = 0
        overwritten: list[str] = []
        by_local = {f.local: f for f in selection.files}
        for local in selection.order:
            if local in tracked.failures:
                failures.append(tracked.failures[local])
                if tracked.failures[local].code == NOT_SENT:
                    consequences.add(local)
                continue
            if local in tracked.existing:
                succeeded += 1
                continue
            f = by_local[local]
            sid = tracked.session_of.get(local)
            if sid is None:
                continue
            codes, corrections = errors[sid]
            if f.filename in codes:
                failures.append(FileFailure(local, f.filename, codes[f.filename], corrections.get(f.filename, "")))
                if codes[f.filename] == SERVER_SKIPPED and set(codes.values()) != {SERVER_SKIPPED}:
                    consequences.add(local)
            elif local in tracked.closed:  # refused with 409 and the server names no code: never sent
                failures.append(FileFailure(local, f.filename, NOT_SENT, f"not sent: {tracked.closed[local]}"))
                consequences.add(local)
            elif sessions[sid].is_finished or (waited and sid in tracked.abandoned):
                succeeded += 1
                if f.filename in tracked.replaces:
                    overwritten.append(local)
        return AssetUploadResult(
            sessions=list(sessions.values()),
            total_files=len(selection.order),
            total_succeeded=succeeded,
            failures=failures,
            skipped_files=[s.local for s in selection.skipped],
            skip_reasons={s.local: s.reason for s in selection.skipped},
            waited=waited,
            existing_files=[local for local in selection.order if local in tracked.existing],
            bytes_sent=tracked.bytes_sent,
            overwritten_files=overwritten,
            cause=first_cause(failures, consequences),
        )


def batch_sizes(batch_size: int, total: int) -> list[int]:
    """How many files each batch (one session) holds: `FIRST_BATCH`, doubling up to ``batch_size`` (pure).

    A session of 10 000 assets takes seconds to create, so the first batches are small and the
    first PUT starts at once; from the fifth or sixth batch on every batch is ``batch_size``.

    Args:
        batch_size: The most files per batch.
        total: Files to send.

    Returns:
        Sizes adding up to at least ``total`` (the last batch may be short).
    """
    sizes: list[int] = []
    size = min(batch_size, FIRST_BATCH)
    covered = 0
    while covered < total:
        sizes.append(size)
        covered += size
        size = min(batch_size, size * 2)
    return sizes


def _settled(session: m.AssetIngestionSession, abandoned: int) -> bool:
    """Finished, or every file still expected (all but ``abandoned`` never sent) has an outcome."""
    pc = session.status.progressCount
    return session.is_finished or (abandoned > 0 and pc.succeeded + pc.errored >= pc.total - abandoned)
