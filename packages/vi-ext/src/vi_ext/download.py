"""Dataset downloads: bounded concurrency, temp file + rename, size and hash verified, safe paths.

The GETs go through a `vi_ext.download_http` getter (httpcore directly, or the injected httpx
transport); each file costs one ``lstat`` for skip-existing, one temp file written with unbuffered
``os.write`` while its sha256 is computed, and one rename.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from vi_ext import models as m
from vi_ext.checksums import file_sha256
from vi_ext.codes import FailureCode
from vi_ext.download_http import TRANSPORT_ERRORS, Getter
from vi_ext.download_paths import TEMP_PREFIX, check_root, prepare_parent, remove_leftovers
from vi_ext.errors import UnsafePathError
from vi_ext.files import safe_relative
from vi_ext.progress import DOWNLOAD, Reporter
from vi_ext.results import AssetDownloadResult, DownloadFailure
from vi_ext.retry import DeadUrl, Done, Fail, Outcome, Retry, RetryPolicy, parse_retry_after, retryable_status, retrying
from vi_ext.wire import RETRY_AFTER, url_expired

log = logging.getLogger(__name__)

LISTING_PAGE_SIZE = 250
"""Assets per listing page of a download: the first GETs start once 250 are listed (a 1 000-asset
page took the reference server ~80-170 ms to sign), and every later page is fetched while the
previous one downloads. The size stays the same for every page of a listing (tokens are only
promised to work with the size they were issued for)."""


def already_there(target: Path, asset: m.Asset) -> bool:
    """Whether ``target`` holds exactly this asset's bytes (size, then sha256 when known); never a link."""
    try:
        found = os.lstat(target)  # one call: absent, a link (not followed) or the size
    except OSError:
        return False
    if not stat.S_ISREG(found.st_mode) or found.st_size != asset.metadata.file_size:
        return False
    if asset.metadata.hash.algorithm.lower() == "sha256":
        return file_sha256(target) == asset.metadata.hash.contents
    return True


class Downloader:
    """Runs one `assets.download` call."""

    def __init__(
        self,
        storage: Getter,
        refresh: Callable[[str], m.Asset],
        policy: RetryPolicy,
        reporter: Reporter,
        max_workers: int,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.storage = storage
        self.refresh = refresh
        self.policy = policy
        self.reporter = reporter
        self.max_workers = max_workers
        self.sleep = sleep
        self.lock = threading.Lock()
        self.ready: set[PurePosixPath] = set()  # folders this run created and checked (`prepare_parent`)

    def run(
        self,
        dataset_id: str,
        assets: Iterator[m.Asset],
        root: Path,
        total: int,
        overwrite: bool,
        total_bytes: int = 0,
        clean_leftovers: bool = True,
    ) -> AssetDownloadResult:
        """Download every asset of the lazy iterator ``assets`` under ``root`` (``total_bytes``: for progress).

        ``clean_leftovers=False`` when other downloads may be writing under ``root`` at the same
        time (the shards of a distributed download; its driver cleans once before they start).

        Raises:
            ViDownloadError: ``root`` is a symbolic link.
        """
        check_root(root)
        root.mkdir(parents=True, exist_ok=True)
        self.ready = set()  # relative to this root
        if clean_leftovers:
            remove_leftovers(root)  # temp files of an interrupted earlier run
        result = AssetDownloadResult(dataset_id, root, 0, 0, 0, 0, [])
        self.reporter.start(DOWNLOAD, total, total_bytes)
        slots = threading.BoundedSemaphore(self.max_workers * 2)  # memory stays flat: bounded in flight
        errors: list[BaseException] = []  # what escaped a file's own handling (e.g. the transfer was stopped)

        def finished(future: Future[None]) -> None:
            error = future.exception()
            if error is not None:
                errors.append(error)
            slots.release()

        with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="vi-download") as pool:
            for asset in assets:
                if errors:
                    break
                result.count += 1
                slots.acquire()
                pool.submit(self._one, asset, root, overwrite, result).add_done_callback(finished)
        if errors:
            raise errors[0]
        self.reporter.close()
        return result

    def _record(
        self, result: AssetDownloadResult, kind: str, failure: DownloadFailure | None = None, nbytes: int = 0
    ) -> None:
        with self.lock:
            if kind == "downloaded":
                result.downloaded += 1
            elif kind == "skipped":
                result.skipped += 1
            else:
                result.failed += 1
                assert failure is not None
                result.failures.append(failure)
        self.reporter.advance(files=1, nbytes=nbytes)

    def _one(self, asset: m.Asset, root: Path, overwrite: bool, result: AssetDownloadResult) -> None:
        relative = safe_relative(asset.filename)
        if relative is None:
            message = (
                f"{FailureCode.UNSAFE_FILENAME}: unsafe filename refused "
                "(it could escape save_dir or is reserved on Windows)"
            )
            self._record(result, "failed", DownloadFailure(asset.asset_id, asset.filename, message))
            return
        try:
            target = prepare_parent(root, relative, self.ready)
        except (UnsafePathError, OSError) as exc:
            code = exc.code if isinstance(exc, UnsafePathError) else FailureCode.DOWNLOAD_FAILED
            self._record(result, "failed", DownloadFailure(asset.asset_id, asset.filename, f"{code}: {exc}"))
            return
        if not overwrite and already_there(target, asset):
            self._record(result, "skipped", nbytes=asset.metadata.file_size)  # verified: done
            return
        try:
            self._fetch(asset, target)
        except Exception as exc:  # one asset's failure never stops the others
            self._record(result, "failed", DownloadFailure(asset.asset_id, asset.filename, str(exc)))
            return
        self._record(result, "downloaded", nbytes=asset.metadata.file_size)

    def _fetch(self, asset: m.Asset, target: Path) -> None:
        """Download one asset to ``target`` on the retry engine; a dead URL is refreshed once.

        Raises:
            RuntimeError: the download failed (the message says why); ``OSError``: writing failed.
        """
        for refreshed in (False, True):
            url = asset.contents.asset if asset.contents else None
            attempt = functools.partial(self._attempt, asset, target)
            outcome = retrying(attempt, self.policy, self.sleep, url=url.url if url else "")
            if isinstance(outcome, Done):
                return
            if isinstance(outcome, Fail):
                if outcome.exhausted:
                    raise RuntimeError(f"download failed after {outcome.attempts} attempts: {outcome.problem}")
                raise RuntimeError(outcome.message)
            if refreshed:
                break
            log.info("the download URL of asset %s is dead (403 or expired): fetching a fresh one", asset.asset_id)
            asset = self.refresh(asset.asset_id)
        raise RuntimeError("the download URL was refused even after a refresh")

    def _attempt(self, asset: m.Asset, target: Path, _number: int) -> Outcome[None]:
        """One try: `DeadUrl` when the URL is missing or expiring, else the outcome of `_stream`."""
        url = asset.contents.asset if asset.contents else None
        if url is None or url_expired(url.expiry):
            return DeadUrl()
        try:
            return self._stream(url, asset, target)
        except TRANSPORT_ERRORS as exc:
            return Retry(str(exc) or type(exc).__name__, transport=True)

    def _stream(self, url: m.Contents, asset: m.Asset, target: Path) -> Outcome[None]:
        """GET into a temp file, verify size and sha256, rename into place (``Done``) or say why not."""
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
        placed = False
        try:
            try:
                with self.storage.get(url.url, url.headers or {}) as response:
                    if response.status == 403:
                        return DeadUrl()
                    if response.status >= 400:
                        if retryable_status(response.status):
                            return Retry(
                                f"HTTP {response.status}", parse_retry_after(response.headers.get(RETRY_AFTER))
                            )
                        return Fail(f"storage answered HTTP {response.status}")
                    for chunk in response.chunks:
                        view = memoryview(chunk)
                        while view:  # unbuffered: each chunk goes straight to the file
                            view = view[os.write(fd, view) :]
                        digest.update(chunk)
                        size += len(chunk)
            finally:
                os.close(fd)
            if size != asset.metadata.file_size:
                return Retry(f"size mismatch: expected {asset.metadata.file_size}, got {size}")
            if asset.metadata.hash.algorithm.lower() == "sha256" and digest.hexdigest() != asset.metadata.hash.contents:
                return Retry("sha256 mismatch")
            os.replace(tmp, target)
            placed = True
            return Done(None)
        finally:
            if not placed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
