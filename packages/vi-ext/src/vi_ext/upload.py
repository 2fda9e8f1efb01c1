"""Batched concurrent uploads: checksums, sessions, signed PUTs, waiting, and the per-file outcome."""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

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
from vi_ext.checksums import file_crc32c
from vi_ext.errors import ViError, ViUploadError
from vi_ext.files import UNREADABLE, LocalFile, Selection
from vi_ext.multipart import MultipartUploader
from vi_ext.polling import wait_for
from vi_ext.progress import Reporter
from vi_ext.results import AssetUploadResult, FileFailure
from vi_ext.retry import RetryPolicy
from vi_ext.signed_put import PutDone, PutRefresh, signed_put

SOURCE = ("managed", "datature", "default")
UPLOAD_FAILED = "UPLOAD_FAILED"
URL_REFRESH_ROUNDS = 3
CustomMetadataArg = dict[str, Any] | Callable[[str], dict[str, Any] | None] | None


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
    bytes_sent: int = 0


class Refresh(Exception):
    """The signed URL is dead (403 or expired): ask for a fresh one."""


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

    # ------------------------------------------------------------------ orchestration
    def run(
        self, dataset: str, selection: Selection, opts: UploadOptions, existing: set[str] | None = None
    ) -> AssetUploadResult:
        """Upload ``selection`` into ``dataset`` (composite id); never raises mid-batch.

        ``existing``: local paths already in the dataset, counted as succeeded and not sent.
        """
        tracked = _Tracked(existing=set(existing or ()))
        for rejected in selection.rejected:
            tracked.failures[rejected.local] = FileFailure(
                rejected.local, rejected.filename, rejected.code, rejected.message
            )
        sessions: dict[str, m.AssetIngestionSession] = {}
        files = [f for f in selection.files if f.local not in tracked.existing]
        self.reporter.start("Uploading", len(files), sum(f.size for f in files))
        with ThreadPoolExecutor(max_workers=opts.max_workers, thread_name_prefix="vi-upload") as pool:
            crcs = dict(zip((f.local for f in files), pool.map(self._crc_or_none, files), strict=True))
            for f in files:
                if crcs[f.local] is None:
                    tracked.failures[f.local] = FileFailure(
                        f.local, f.filename, UNREADABLE, "the file could not be read"
                    )
            readable = [f for f in files if crcs[f.local] is not None]
            try:
                for start in range(0, len(readable), opts.batch_size):
                    batch = readable[start : start + opts.batch_size]
                    self._batch(dataset, batch, crcs, opts, pool, tracked, sessions)
                    if opts.failure_mode == "FailAfterOne" and tracked.failures:
                        self._stop_rest(readable[start + opts.batch_size :], tracked)
                        break
            except ViError as exc:
                if not sessions:  # nothing happened yet: the error itself is the clearest answer
                    self.reporter.close()
                    raise
                result = self._result(selection, tracked, sessions, waited=False)
                raise ViUploadError(
                    f"upload stopped: {exc.message}", result=result, status_code=exc.status_code
                ) from exc
        self.reporter.close()
        tracked.bytes_sent = self._bytes_sent
        if opts.wait:
            self._wait(dataset, sessions, tracked, opts.timeout, selection)
        return self._result(selection, tracked, sessions, waited=opts.wait)

    def _stop_rest(self, rest: list[LocalFile], tracked: _Tracked) -> None:
        for f in rest:
            tracked.failures[f.local] = FileFailure(
                f.local, f.filename, "NOT_SENT", "not sent: the upload stopped after the first error (FailAfterOne)"
            )

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
    ) -> None:
        pending = batch
        for _ in range(URL_REFRESH_ROUNDS):
            if not pending:
                return
            session = self.create_session(dataset, pending, crcs, opts)
            sid = session.asset_ingestion_session_id
            sessions[sid] = session
            uploads = {a.metadata.filename: a.upload for a in session.status.assets or []}
            send = functools.partial(
                self._send_one, uploads=uploads, dataset=dataset, ingestion_id=session.ingestion_id
            )
            outcomes = list(pool.map(send, pending))
            refresh: list[LocalFile] = []
            for f, outcome in zip(pending, outcomes, strict=True):
                tracked.session_of[f.local] = sid
                if outcome is None:
                    tracked.failures.pop(f.local, None)
                    continue
                tracked.abandoned.setdefault(sid, set()).add(f.filename)
                if isinstance(outcome, Refresh):
                    refresh.append(f)
                else:
                    tracked.failures[f.local] = outcome
            pending = refresh
        for f in pending:
            tracked.failures[f.local] = FileFailure(
                f.local, f.filename, UPLOAD_FAILED, f"storage refused {URL_REFRESH_ROUNDS} fresh signed URLs (403)"
            )

    def create_session(
        self, dataset: str, files: list[LocalFile], crcs: dict[str, int | None], opts: UploadOptions
    ) -> m.AssetIngestionSession:
        """POST an ingestion session for ``files``."""
        assets = [
            {"filename": f.filename, "mime": f.mime, "size": f.size, "crc32c": crcs[f.local],
             "customMetadata": self._custom(opts.custom_metadata, f), "kind": "Image"}
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

    @staticmethod
    def _custom(custom: CustomMetadataArg, f: LocalFile) -> dict[str, Any] | None:
        if custom is None:
            return None
        return custom(f.local) if callable(custom) else dict(custom)

    # ------------------------------------------------------------------ one file's bytes
    def _sent(self, f: LocalFile) -> None:
        with self._lock:
            self._bytes_sent += f.size
        self.reporter.advance(files=1, nbytes=f.size)

    def _send_one(
        self, f: LocalFile, *, uploads: dict[str, m.Contents], dataset: str, ingestion_id: str
    ) -> FileFailure | Refresh | None:
        return self._send(f, uploads.get(f.filename), dataset, ingestion_id)

    def _send(
        self, f: LocalFile, upload: m.Contents | None, dataset: str, ingestion_id: str
    ) -> FileFailure | Refresh | None:
        """Send one file: a streamed PUT, or multipart at or above the threshold; ``None`` on success."""
        if f.size >= self.multipart_threshold:
            problem = MultipartUploader(self.api, self.storage(), self.policy, self.sleep).upload(
                dataset, SOURCE, ingestion_id, f
            )
            if problem is None:
                self._sent(f)
                return None
            return FileFailure(f.local, f.filename, UPLOAD_FAILED, problem)
        if upload is None:
            return FileFailure(f.local, f.filename, UPLOAD_FAILED, "the session answer has no upload URL for this file")
        outcome = signed_put(
            self.storage(), upload.method or "PUT", upload.url, dict(upload.headers or {}), f.size,
            lambda: f.path.open("rb"), self.policy, self.sleep, upload.expiry,
        )  # fmt: skip
        if isinstance(outcome, PutDone):
            self._sent(f)
            return None
        if isinstance(outcome, PutRefresh):
            return Refresh()
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
        for sid in list(sessions):
            abandoned = len(tracked.abandoned.get(sid, ()))

            def settled(s: m.AssetIngestionSession, abandoned: int = abandoned) -> bool:
                pc = s.status.progressCount
                return s.is_finished or (abandoned > 0 and pc.succeeded + pc.errored >= pc.total - abandoned)

            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                sessions[sid] = wait_for(
                    functools.partial(self.get_session, dataset, sid),
                    settled,
                    left,
                    f"ingestion session {sid}",
                    self.sleep,
                )
            except ViError as exc:
                partial = self._result(selection, tracked, sessions, waited=False)
                if hasattr(exc, "partial_result"):
                    exc.partial_result = partial
                raise
            if not sessions[sid].is_finished:  # only abandoned files left: close it server-side
                self._cancel(dataset, sid)

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
        succeeded = 0
        by_local = {f.local: f for f in selection.files}
        for local in selection.order:
            if local in tracked.failures:
                failures.append(tracked.failures[local])
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
            elif sessions[sid].is_finished or (waited and sid in tracked.abandoned):
                succeeded += 1
        return AssetUploadResult(
            sessions=list(sessions.values()),
            total_files=len(selection.order),
            total_succeeded=succeeded,
            failures=failures,
            skipped_files=[s.local for s in selection.skipped],
            waited=waited,
            existing_files=[local for local in selection.order if local in tracked.existing],
            bytes_sent=tracked.bytes_sent,
        )
