"""Batched concurrent uploads: checksums, sessions, signed PUTs, waiting, and the per-file outcome."""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeAlias

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
from vi_ext.custom_metadata import CustomMetadataArg
from vi_ext.errors import ViError, ViNetworkError, ViUploadError, ViUploadInterruptedError
from vi_ext.files import NOT_SENT, UNREADABLE, Item, LocalFile, Selection, selection_items
from vi_ext.multipart import MultipartUploader
from vi_ext.polling import wait_for
from vi_ext.progress import INGEST, UPLOAD, Reporter
from vi_ext.results import AssetUploadResult, FileFailure
from vi_ext.retry import DeadUrl, RetryPolicy
from vi_ext.signed_put import PutClosed, PutDone, PutFailed, signed_put
from vi_ext.upload_feed import CHECK_WORKERS, FIRST_BATCH, Feed, Ready, batch_sizes
from vi_ext.upload_memory import bounded_map, release_free_heap, trim_due, window_for
from vi_ext.upload_outcome import Outcome, SentBatch, created_session, slim
from vi_ext.wire import SOURCE

__all__ = ["FIRST_BATCH", "SOURCE", "UPLOAD_FAILED", "CustomMetadataArg", "UploadOptions", "Uploader", "batch_sizes"]

UPLOAD_FAILED = FailureCode.UPLOAD_FAILED
URL_REFRESH_ROUNDS = 3
log = logging.getLogger(__name__)
STOPPED = "not sent: the session stopped after the first failure (FailAfterOne)"
STOPPED_UPLOAD = "not sent: the upload stopped after the first failure (FailAfterOne)"
PENDING_SESSIONS = 2  # when waiting, sessions whose outcome may stay unfolded while the next batch is sent
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


_Outcome: TypeAlias = "FileFailure | DeadUrl | PutClosed | None"


class Uploader:
    """Runs one `assets.upload` call, streaming: memory does not grow with the number of files."""

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
        self._out = Outcome()
        self._pending: dict[str, SentBatch] = {}  # session id -> files whose outcome is not folded yet
        self._stopped: set[str] = set()  # sessions that no longer accept uploads
        self._unanswered: set[int] = set()  # positions whose last attempt got no answer
        self._ingested_early = 0  # files of sessions folded before the ingest phase
        self._untrimmed = 0  # files sent since the C heap was last trimmed (`release_free_heap`)

    # ------------------------------------------------------------------ orchestration
    def run(
        self,
        dataset: str,
        selection: Selection | Iterable[Item],
        opts: UploadOptions,
        find_existing: Callable[[list[LocalFile]], set[str]] | None = None,
    ) -> AssetUploadResult:
        """Upload ``selection`` into ``dataset`` (composite id); never raises mid-batch.

        A pipeline: discovery is pulled chunk by chunk (``selection`` may be a lazy stream of
        `vi_ext.files.Item`, e.g. `iter_discover` or `iter_manifest`); while one batch's session
        is created and its files sent, the next chunk's checksums, existence checks and overwrite
        checks run, so the first PUT does not wait for a pass over every file. A batch's files are
        forgotten once its session's outcome is folded into the result.

        ``find_existing``: for ``skip_existing``, given a chunk of files, the local paths already in
        the dataset (asked per chunk); they count as succeeded and are not sent.
        Under FailAfterOne, once a session stops (storage answers 409, or its status shows an
        error) nothing more is sent: the rest is `NOT_SENT`, and later batches are not started.
        A file over ``max_file_size`` raises `ViFileTooLargeError` if no session was created yet;
        after that it is a ``FILE_TOO_LARGE`` failure that stops the upload like any other.

        Raises:
            ViValidationError: nothing to upload, or a file's custom metadata cannot be sent (before
                anything is sent when it is in the first chunk; else the upload stops there).
            ViFileTooLargeError: see above.
            ViUploadInterruptedError: the endpoint stopped answering (``.result`` holds the rest).
            ViUploadError: the upload could not go on (``.result`` holds what was done).
        """
        out = self._out = Outcome()
        self._pending, self._stopped, self._unanswered, self._ingested_early = {}, set(), set(), 0
        stream = selection_items(selection) if isinstance(selection, Selection) else iter(selection)
        stop_after_one = opts.failure_mode == "FailAfterOne"
        feed = Feed(
            stream,
            out,
            self.reporter,
            self.api,
            dataset,
            find_existing,
            opts.custom_metadata,
            stop_after_one,
            self._crc_or_none,
        )
        self.reporter.start(UPLOAD, 0, 0)
        with (
            ThreadPoolExecutor(max_workers=opts.max_workers, thread_name_prefix="vi-upload") as pool,
            ThreadPoolExecutor(
                max_workers=min(CHECK_WORKERS, opts.max_workers), thread_name_prefix="vi-check"
            ) as checks,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="vi-prepare") as ahead,
        ):
            batches = feed.batches(opts.batch_size, checks, ahead)
            try:
                for batch, more in batches:
                    if out.sessions and stop_after_one and out.failures:  # a file failed its checks
                        feed.drain(STOPPED_UPLOAD)
                        break
                    created = self._batch(dataset, batch, opts, pool, feed)
                    feed.too_large_raises = False
                    if self.breaker.is_open:
                        feed.drain(f"not sent: {self.breaker.describe()}")
                        raise ViNetworkError(self.breaker.describe())
                    if more and stop_after_one and self._must_stop(dataset, created, opts):
                        feed.drain(STOPPED_UPLOAD)
                        break
                    self._fold_settled(dataset, created, opts, more)
                    self._trim(len(batch))
            except ViError as exc:
                self.reporter.close()
                if not out.sessions:  # nothing happened yet: the error itself is the clearest answer
                    raise
                feed.drain(f"not sent: the upload stopped ({exc.message})")
                out.total = feed.total
                raise self._stopped_error(exc, self._result(waited=False)) from exc
            finally:
                batches.close()
        out.total = feed.total
        out.bytes_sent = self._bytes_sent
        try:
            if opts.wait:
                self._wait(dataset, opts.timeout)
            else:  # one look at stopped sessions: their codes say which files the server skipped
                for sid in self._stopped:
                    out.sessions[sid] = slim(self.get_session(dataset, sid))
        except ViNetworkError as exc:
            raise self._stopped_error(exc, self._result(waited=False)) from exc
        finally:
            self.reporter.close()  # after the ingest phase, which `_wait` reports
        return self._result(waited=opts.wait)

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

    def _settled_session(self, dataset: str, sid: str, timeout: float | None) -> m.AssetIngestionSession:
        """Wait until the session's expected files all have an outcome."""
        session: m.AssetIngestionSession = wait_for(
            functools.partial(self.get_session, dataset, sid),
            functools.partial(_settled, abandoned=self._pending[sid].abandoned),
            timeout,
            f"ingestion session {sid}",
            self.sleep,
        )
        return session

    def _must_stop(self, dataset: str, created: list[str], opts: UploadOptions) -> bool:
        """FailAfterOne between batches: a failure so far, or in the sessions just sent, stops the upload.

        Ingestion runs after the bytes arrive, so the batch's sessions are waited for first.
        """
        if self._out.failures or any(sid in self._stopped for sid in created):
            return True
        for sid in created:
            session = self._settled_session(dataset, sid, opts.timeout)
            if session.status.errors():
                return True
            if opts.wait:  # settled without an error: its outcome is known, its files can be forgotten
                self._fold(dataset, sid, session, waited=True)
        return False

    def _fold_settled(self, dataset: str, created: list[str], opts: UploadOptions, more: bool) -> None:
        """Forget the files of sessions whose outcome is known, so memory stays flat.

        Without waiting, a session's files are folded at once (they count as processing), except
        in a stopped session (looked at once at the end). When waiting, at most `PENDING_SESSIONS`
        sessions stay unfolded: the oldest is waited for (ingestion keeps pace with sending).
        """
        if not opts.wait:
            for sid in created:
                if sid in self._pending and sid not in self._stopped:
                    self._out.fold(self._pending.pop(sid), self._out.sessions[sid], waited=False)
            return
        while more and len(self._pending) > PENDING_SESSIONS:
            sid = next(iter(self._pending))
            self._fold(dataset, sid, self._settled_session(dataset, sid, opts.timeout), waited=True)

    def _trim(self, sent: int) -> None:
        """After a batch: hand the C heap's free pages back once `TRIM_EVERY` files went by (flat RSS)."""
        self._untrimmed += sent
        if trim_due(self._untrimmed):
            release_free_heap()
            self._untrimmed = 0

    def _fold(self, dataset: str, sid: str, session: m.AssetIngestionSession, waited: bool) -> None:
        batch = self._pending.pop(sid)
        self._out.sessions[sid] = slim(session)
        self._out.fold(batch, session, waited)
        self._ingested_early += session.status.progressCount.total - batch.abandoned
        if not session.is_finished:  # only abandoned files left: close it server-side
            self._cancel(dataset, sid)

    def _crc_or_none(self, f: LocalFile) -> int | None:
        try:
            return file_crc32c(f.path)
        except OSError:
            return None

    def _batch(
        self, dataset: str, batch: list[Ready], opts: UploadOptions, pool: ThreadPoolExecutor, feed: Feed
    ) -> list[str]:
        """Send one batch (a new session for files whose URL died); return the sessions created."""
        out = self._out
        created: list[str] = []
        failed: dict[int, tuple[Ready, FileFailure]] = {}
        pending = batch
        for _ in range(URL_REFRESH_ROUNDS):
            if not pending or self.breaker.is_open:
                break
            session = self.create_session(dataset, [r.file for r in pending], pending, opts)
            sid, ingestion_id = session.asset_ingestion_session_id, session.ingestion_id
            uploads = {a.metadata.filename: a.upload for a in session.status.assets or []}
            out.sessions[sid] = slim(session)
            del session  # its per-asset lists: only the upload URLs are needed while sending
            sent = self._pending[sid] = SentBatch(total=len(pending))
            created.append(sid)
            send = functools.partial(
                self._send_one, uploads=uploads, dataset=dataset, ingestion_id=ingestion_id, sid=sid,
                stop_on_close=opts.failure_mode == "FailAfterOne",
            )  # fmt: skip
            outcomes = bounded_map(pool, send, pending, window_for(opts.max_workers))
            del uploads
            refresh: list[Ready] = []
            for ready, outcome in zip(pending, outcomes, strict=True):
                f, position = ready.file, ready.position
                feed.handled.add(position)
                if outcome is None:
                    failed.pop(position, None)
                    sent.files.append((position, f))
                    continue
                sent.abandoned += 1
                if isinstance(outcome, DeadUrl) and sid not in self._stopped:
                    refresh.append(ready)
                elif isinstance(outcome, DeadUrl):
                    failed[position] = (ready, FileFailure(f.local, f.filename, NOT_SENT, STOPPED))
                elif isinstance(outcome, PutClosed):
                    failed.pop(position, None)
                    sent.files.append((position, f))
                    sent.closed[position] = outcome.message
                else:
                    failed[position] = (ready, outcome)
            pending = refresh
        if self.breaker.is_open:  # gave up before the breaker opened, for the same reason: not sent
            for position, (ready, failure) in list(failed.items()):
                if position in self._unanswered and failure.code == UPLOAD_FAILED:
                    message = f"not sent: {failure.message}; {self.breaker.describe()}"
                    failed[position] = (ready, FileFailure(ready.file.local, ready.file.filename, NOT_SENT, message))
        for ready in pending:
            f = ready.file
            feed.handled.add(ready.position)
            if self.breaker.is_open:
                failure = FileFailure(f.local, f.filename, NOT_SENT, f"not sent: {self.breaker.describe()}")
            else:
                message = f"storage refused {URL_REFRESH_ROUNDS} fresh signed URLs (403)"
                failure = FileFailure(f.local, f.filename, UPLOAD_FAILED, message)
            failed[ready.position] = (ready, failure)
        for position, (_, failure) in failed.items():
            out.fail(position, failure)
        self._unanswered.clear()
        return created

    def create_session(
        self, dataset: str, files: list[LocalFile], checked: list[Ready], opts: UploadOptions
    ) -> m.AssetIngestionSession:
        """POST an ingestion session for ``files`` (``checked``: their checksums and metadata, same order)."""
        assets = [
            {"filename": f.filename, "mime": f.mime, "size": f.size, "crc32c": r.crc,
             "customMetadata": r.metadata, "kind": "Image"}
            for f, r in zip(files, checked, strict=True)
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
        del assets  # the model holds its own copy: one copy less while the request is encoded and sent
        return self.api.call(
            create_asset_ingestion_session,
            functools.partial(created_session, organization_id=self.org),
            self.org, dataset, *SOURCE, body=body,
        )  # fmt: skip

    # ------------------------------------------------------------------ one file's bytes
    def _sent(self, f: LocalFile) -> None:
        with self._lock:
            self._bytes_sent += f.size
        self.reporter.advance(files=1, nbytes=f.size)

    def _send_one(
        self,
        ready: Ready,
        *,
        uploads: dict[str, m.Contents],
        dataset: str,
        ingestion_id: str,
        sid: str,
        stop_on_close: bool,
    ) -> _Outcome:
        """Send ``ready.file`` unless its session stopped or the endpoint is unreachable."""
        f, position = ready.file, ready.position
        if self.breaker.is_open:
            return FileFailure(f.local, f.filename, NOT_SENT, f"not sent: {self.breaker.describe()}")
        if sid in self._stopped:
            return FileFailure(f.local, f.filename, NOT_SENT, STOPPED)
        outcome = self._send(f, uploads.get(f.filename), dataset, ingestion_id, position)
        if isinstance(outcome, PutClosed) and stop_on_close:
            self._stopped.add(sid)
        return outcome

    def _send(
        self, f: LocalFile, upload: m.Contents | None, dataset: str, ingestion_id: str, position: int
    ) -> _Outcome:
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
            with self._lock:
                self._unanswered.add(position)
        return FileFailure(f.local, f.filename, UNREADABLE if outcome.unreadable else UPLOAD_FAILED, outcome.message)

    # ------------------------------------------------------------------ waiting and the result
    def get_session(self, dataset: str, sid: str) -> m.AssetIngestionSession:
        """GET an ingestion session."""
        return self.api.call(
            get_asset_ingestion_session,
            lambda d: convert.session(g.AssetIngestionSession.from_dict(d), self.org),
            self.org, dataset, *SOURCE, sid,
        )  # fmt: skip

    def _wait(self, dataset: str, timeout: float | None) -> None:
        """Wait for every session not folded yet, reporting the ingest phase, and fold each."""
        deadline = None if timeout is None else time.monotonic() + timeout
        sent = {
            sid: self._out.sessions[sid].status.progressCount.total - batch.abandoned
            for sid, batch in self._pending.items()
        }
        total = sum(sent.values()) + self._ingested_early
        if total:
            self.reporter.start(INGEST, total, 0)
            self.reporter.advance(files=self._ingested_early)
        for sid in list(self._pending):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                session = wait_for(
                    functools.partial(self._poll, dataset, sid, [0], sent[sid]),
                    functools.partial(_settled, abandoned=self._pending[sid].abandoned),
                    left,
                    f"ingestion session {sid}",
                    self.sleep,
                )
            except ViNetworkError:
                raise
            except ViError as exc:
                partial = self._result(waited=False)
                if hasattr(exc, "partial_result"):
                    exc.partial_result = partial
                raise
            self._fold(dataset, sid, session, waited=True)

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

    def _result(self, waited: bool) -> AssetUploadResult:
        """The result so far; files of sessions not folded yet are folded as they last looked."""
        for sid, batch in list(self._pending.items()):
            self._out.fold(batch, self._out.sessions[sid], waited)
            del self._pending[sid]
        return self._out.result(waited)


def _settled(session: m.AssetIngestionSession, abandoned: int) -> bool:
    """Finished, or every file still expected (all but ``abandoned`` never sent) has an outcome."""
    pc = session.status.progressCount
    return session.is_finished or (abandoned > 0 and pc.succeeded + pc.errored >= pc.total - abandoned)
