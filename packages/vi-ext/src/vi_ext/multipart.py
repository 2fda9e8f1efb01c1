"""Multipart upload of one large file of an ingestion session (the server picks the part count)."""

from __future__ import annotations

import base64
import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from vi_ext._generated import models as g
from vi_ext._generated.api.multipart import (
    abort_multipart_upload,
    complete_multipart_upload,
    complete_multipart_upload_part,
    create_multipart_upload,
    get_multipart_upload_part_url,
)
from vi_ext.api import ApiClient
from vi_ext.breaker import Breaker
from vi_ext.convert import string_map
from vi_ext.errors import ViConflictError, ViError
from vi_ext.files import LocalFile
from vi_ext.retry import DeadUrl, RetryPolicy
from vi_ext.signed_put import PutClosed, PutDone, PutFailed, signed_put

CHUNK = 1 << 20
URL_ATTEMPTS = 3
log = logging.getLogger(__name__)


def part_ranges(size: int, part_count: int) -> list[tuple[int, int]]:
    """``(offset, length)`` per part: ``floor(size/n)`` bytes each, the last one also the remainder."""
    if part_count < 1 or size < part_count:
        raise ValueError(f"cannot split {size} bytes into {part_count} parts")
    base = size // part_count
    return [(base * i, size - base * i if i == part_count - 1 else base) for i in range(part_count)]


@contextlib.contextmanager
def file_slice(path: Path, offset: int, length: int) -> Iterator[Iterator[bytes]]:
    """The bytes ``[offset, offset+length)`` of ``path``, streamed in chunks."""
    with path.open("rb") as handle:
        handle.seek(offset)

        def chunks() -> Iterator[bytes]:
            left = length
            while left > 0:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    raise OSError(f"{path} is shorter than expected")
                left -= len(chunk)
                yield chunk

        yield chunks()


@dataclass
class MultipartUploader:
    """Runs the multipart sequence; any failure aborts the upload server-side and is reported."""

    api: ApiClient
    storage: httpx.Client
    policy: RetryPolicy
    sleep: Callable[[float], None] = time.sleep
    breaker: Breaker | None = None

    def upload(
        self, dataset: str, source: tuple[str, str, str], ingestion_id: str, f: LocalFile
    ) -> PutFailed | PutClosed | None:
        """Upload ``f``; ``None`` on success, `PutClosed` when the session no longer accepts the file
        (409), otherwise `PutFailed` with the reason."""
        org = self.api.credentials.organization_id
        body = g.MultipartUploadCreate.from_dict(
            {"spec": {"ingestionId": ingestion_id, "filename": f.filename, "contentType": f.mime, "sizeBytes": f.size}}
        )
        try:
            created = self.api.call(
                create_multipart_upload, g.MultipartUpload.from_dict, org, dataset, *source, body=body
            )
        except ViConflictError as exc:
            return PutClosed(f"cannot start the multipart upload: {exc}")
        except ViError as exc:
            return PutFailed(f"cannot start the multipart upload: {exc}")
        mid = created.multipart_upload_id
        problem: PutFailed | PutClosed | None = None
        try:
            for number, (offset, length) in enumerate(part_ranges(f.size, created.status.part_count), start=1):
                problem = self._part(org, dataset, source, mid, number, f.path, offset, length)
                if problem is not None:
                    break
            else:
                self.api.call(complete_multipart_upload, None, org, dataset, *source, mid)
                return None
        except ViConflictError as exc:
            problem = PutClosed(str(exc))
        except (ViError, ValueError) as exc:
            problem = PutFailed(str(exc))
        with contextlib.suppress(ViError):
            self.api.call(abort_multipart_upload, None, org, dataset, *source, mid)
        message = f"multipart upload failed and was aborted: {problem.message}"
        if isinstance(problem, PutClosed):
            return PutClosed(message)
        return PutFailed(message, unreachable=problem.unreachable)

    def _part(
        self,
        org: str,
        dataset: str,
        source: tuple[str, str, str],
        mid: str,
        number: int,
        path: Path,
        offset: int,
        length: int,
    ) -> PutFailed | PutClosed | None:
        for _ in range(URL_ATTEMPTS):
            url = self.api.call(
                get_multipart_upload_part_url, g.PartSignedUrl.from_dict, org, dataset, *source, mid, number,
                body=g.PartUrlRequest(),
            )  # fmt: skip
            headers = string_map(url.headers) or {}  # absent or null: no extra headers
            outcome = signed_put(
                self.storage, url.method or "PUT", url.url, headers, length,
                lambda: file_slice(path, offset, length), self.policy, self.sleep, url.expiry, self.breaker,
            )  # fmt: skip
            if isinstance(outcome, PutFailed):
                return PutFailed(f"part {number}: {outcome.message}", unreachable=outcome.unreachable)
            if isinstance(outcome, PutClosed):
                return PutClosed(f"part {number}: {outcome.message}")
            if isinstance(outcome, DeadUrl):
                log.info(
                    "part %d of %s: the signed URL is dead (403 or expired): asking for a fresh one", number, path.name
                )
                continue
            if isinstance(outcome, PutDone):
                reported = {name: outcome.headers.get(name, "") for name in url.response_headers}
                completion: dict[str, object] = {"responseHeaders": reported}
                if url.response_body and outcome.body:
                    completion["responseBody"] = base64.b64encode(outcome.body).decode()
                self.api.call(
                    complete_multipart_upload_part, None, org, dataset, *source, mid, number,
                    body=g.PartCompletion.from_dict(completion),
                )  # fmt: skip
                return None
        return PutFailed(f"part {number}: storage refused {URL_ATTEMPTS} fresh URLs (403)")
