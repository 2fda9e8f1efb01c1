"""Dataset downloads: bounded concurrency, temp file + rename, size and hash verified, safe paths."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx

from vi_ext import models as m
from vi_ext.checksums import file_sha256
from vi_ext.download_paths import TEMP_PREFIX, UnsafePathError, check_root, prepare_parent, remove_leftovers
from vi_ext.files import safe_relative
from vi_ext.progress import DOWNLOAD, Reporter
from vi_ext.results import AssetDownloadResult, DownloadFailure
from vi_ext.retry import RetryPolicy, parse_retry_after, retryable_status

CHUNK = 256 * 1024


class _Expired(Exception):
    """The download URL is dead; fetch a fresh one."""


def already_there(target: Path, asset: m.Asset) -> bool:
    """Whether ``target`` holds exactly this asset's bytes (size, then sha256 when known); never a link."""
    if target.is_symlink():
        return False
    try:
        if target.stat().st_size != asset.metadata.file_size:
            return False
    except OSError:
        return False
    if asset.metadata.hash.algorithm.lower() == "sha256":
        return file_sha256(target) == asset.metadata.hash.contents
    return True


class Downloader:
    """Runs one `assets.download` call."""

    def __init__(
        self,
        storage: Callable[[], httpx.Client],
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
        if clean_leftovers:
            remove_leftovers(root)  # temp files of an interrupted earlier run
        result = AssetDownloadResult(dataset_id, root, 0, 0, 0, 0, [])
        self.reporter.start(DOWNLOAD, total, total_bytes)
        slots = threading.BoundedSemaphore(self.max_workers * 2)  # memory stays flat: bounded in flight
        futures: list[Future[None]] = []
        with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="vi-download") as pool:
            for asset in assets:
                result.count += 1
                slots.acquire()
                future = pool.submit(self._one, asset, root, overwrite, result)
                future.add_done_callback(lambda _: slots.release())
                futures.append(future)
                futures = [f for f in futures if not f.done()]
            for future in futures:
                future.result()
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
            message = "UNSAFE_FILENAME: unsafe filename refused (it could escape save_dir or is reserved on Windows)"
            self._record(result, "failed", DownloadFailure(asset.asset_id, asset.filename, message))
            return
        try:
            target = prepare_parent(root, relative)
        except (UnsafePathError, OSError) as exc:
            code = exc.code if isinstance(exc, UnsafePathError) else "DOWNLOAD_FAILED"
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
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            url = asset.contents.asset if asset.contents else None
            try:
                if url is None or (url.expiry and url.expiry / 1000 < time.time() + 2):
                    raise _Expired
                self._stream(url, asset, target)
                return
            except _Expired:
                if refreshed:
                    raise RuntimeError("the download URL was refused even after a refresh") from None
                asset, refreshed = self.refresh(asset.asset_id), True
                attempt = 0
                continue
            except (httpx.TransportError, _Retryable) as exc:
                wait = self.policy.delay(attempt, getattr(exc, "retry_after", None))
                if wait is None:
                    raise RuntimeError(f"download failed after {attempt} attempts: {exc}") from exc
                self.sleep(wait)

    def _stream(self, url: m.Contents, asset: m.Asset, target: Path) -> None:
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
        try:
            stream = self.storage().stream("GET", url.url, headers=url.headers or {})
            with os.fdopen(fd, "wb") as out, stream as response:
                if response.status_code == 403:
                    raise _Expired
                if response.status_code >= 400:
                    if retryable_status(response.status_code):
                        raise _Retryable(response.status_code, parse_retry_after(response.headers.get("retry-after")))
                    raise RuntimeError(f"storage answered HTTP {response.status_code}")
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            if size != asset.metadata.file_size:
                raise _Retryable(0, None, f"size mismatch: expected {asset.metadata.file_size}, got {size}")
            if asset.metadata.hash.algorithm.lower() == "sha256" and digest.hexdigest() != asset.metadata.hash.contents:
                raise _Retryable(0, None, "sha256 mismatch")
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


class _Retryable(Exception):
    def __init__(self, status: int, retry_after: float | None, message: str = "") -> None:
        super().__init__(message or f"HTTP {status}")
        self.retry_after = retry_after
