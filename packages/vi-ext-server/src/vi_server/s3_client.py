"""The one module that talks to boto3: a small typed S3 client for the blob store.

Every boto3/botocore failure leaves this module as :class:`S3Error`, an ``OSError``: the
ingestion worker already treats ``OSError`` as "storage failed, retry later" (see
`vi_server.storage_errors`), so an S3 outage delays files instead of failing or dropping them.
Credentials come from boto3's standard chain (environment, shared files, instance roles).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Listed", "PendingMultipart", "S3Client", "S3Error", "S3Location", "parse_s3_url"]

LIST_PAGE = 1000
SMALL_OBJECT = 8 << 20  # up to this size one request moves an object (s3transfer's threads cost more)


class S3Error(OSError):
    """An S3 request failed (network, permissions, a missing bucket, a rejected part list)."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(errno.EIO, message)
        self.code = code


@dataclass(frozen=True)
class S3Location:
    """``s3://bucket/prefix``: where the blob store keeps its objects."""

    bucket: str
    prefix: str  # without leading or trailing "/"; may be empty

    def key(self, *parts: str) -> str:
        """The object key of ``parts`` under the prefix."""
        return "/".join(p for p in (self.prefix, *parts) if p)


def parse_s3_url(url: str) -> S3Location:
    """Split ``s3://bucket/prefix``.

    Args:
        url: The blob URL.

    Returns:
        Its bucket and prefix.

    Raises:
        ValueError: Not an ``s3://`` URL with a bucket.
    """
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"not an s3://bucket[/prefix] URL: {url!r}")
    return S3Location(parts.netloc, parts.path.strip("/"))


@dataclass(frozen=True)
class Listed:
    """One object found by a listing."""

    key: str
    size: int
    age_seconds: float


@dataclass(frozen=True)
class PendingMultipart:
    """One multipart upload S3 still holds."""

    key: str
    upload_id: str
    age_seconds: float


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


class S3Client:
    """Thin typed calls on one bucket; every failure is raised as :class:`S3Error`."""

    def __init__(self, location: S3Location, endpoint: str | None = None) -> None:
        """Build the boto3 client (no request is made).

        Args:
            location: Bucket and prefix.
            endpoint: An S3-compatible endpoint URL (``None``: AWS).

        Raises:
            S3Error: boto3 is not installed (``pip install 'vi-ext-server[s3]'``).
        """
        try:
            import boto3
            from botocore.config import Config
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise S3Error("an s3:// blob URL needs boto3: pip install 'vi-ext-server[s3]'") from exc
        self.location = location
        self.bucket = location.bucket
        config = Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"},
                        connect_timeout=10, read_timeout=60,
                        max_pool_connections=32, s3={"addressing_style": "path"})  # fmt: skip
        self._s3: Any = boto3.client("s3", endpoint_url=endpoint, config=config)

    def _call(self, what: str, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._s3, method)(Bucket=self.bucket, **kwargs)
        except Exception as exc:  # botocore raises many unrelated classes; all mean "S3 failed"
            raise S3Error(f"S3 {what} failed: {exc}", _code(exc)) from exc

    # ------------------------------------------------------------------ objects
    def size_of(self, key: str) -> int | None:
        """The object's size, or ``None`` when it does not exist."""
        try:
            head = self._call("HEAD", "head_object", Key=key)
        except S3Error as exc:
            if exc.code in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return int(head["ContentLength"])

    def download(self, key: str, target: Path, size: int) -> None:
        """Fetch an object of ``size`` bytes into a local file (in parallel ranges when large)."""
        try:
            if size > SMALL_OBJECT:
                self._s3.download_file(self.bucket, key, str(target))
                return
            body = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"]
            with target.open("wb") as out:
                while chunk := body.read(1 << 20):
                    out.write(chunk)
        except Exception as exc:
            raise S3Error(f"S3 download of {key} failed: {exc}", _code(exc)) from exc

    def upload(self, source: Path, key: str) -> None:
        """Store a local file as an object (multipart when large)."""
        try:
            if source.stat().st_size > SMALL_OBJECT:
                self._s3.upload_file(str(source), self.bucket, key)
                return
            with source.open("rb") as body:
                self._s3.put_object(Bucket=self.bucket, Key=key, Body=body)
        except Exception as exc:
            raise S3Error(f"S3 upload to {key} failed: {exc}", _code(exc)) from exc

    def put(self, key: str, data: bytes) -> None:
        """Store bytes as an object."""
        self._call("PUT", "put_object", Key=key, Body=data)

    def copy(self, source: str, key: str) -> None:
        """Server-side copy (multipart copy for objects over 5 GB)."""
        try:
            self._s3.copy({"Bucket": self.bucket, "Key": source}, self.bucket, key)
        except Exception as exc:
            raise S3Error(f"S3 copy {source} -> {key} failed: {exc}", _code(exc)) from exc

    def delete(self, key: str) -> None:
        """Delete an object (no error when it is already gone)."""
        self._call("DELETE", "delete_object", Key=key)

    def list_objects(self, prefix: str, limit: int, start_after: str = "") -> list[Listed]:
        """Up to ``limit`` objects under ``prefix`` in key order, after ``start_after`` if given."""
        found: list[Listed] = []
        token: str | None = None
        while len(found) < limit:
            kwargs: dict[str, Any] = {"Prefix": prefix, "MaxKeys": min(LIST_PAGE, limit - len(found))}
            if start_after and not token:
                kwargs["StartAfter"] = start_after
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call("LIST", "list_objects_v2", **kwargs)
            found += [Listed(o["Key"], int(o["Size"]), _age(o["LastModified"])) for o in page.get("Contents", [])]
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                break
        return found

    # ------------------------------------------------------------------ presigned URLs
    def presign_put(self, key: str, content_type: str | None, ttl: int) -> str:
        """A presigned ``PUT`` of a whole object (the client must send ``Content-Type`` as signed)."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if content_type:
            params["ContentType"] = content_type
        return self._presign("put_object", params, ttl)

    def presign_get(self, key: str, content_type: str, ttl: int, disposition: str | None = None) -> str:
        """A presigned ``GET`` whose answer carries ``content_type`` (and ``disposition``)."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "ResponseContentType": content_type}
        if disposition:
            params["ResponseContentDisposition"] = disposition
        return self._presign("get_object", params, ttl)

    def presign_part(self, key: str, upload_id: str, number: int, ttl: int) -> str:
        """A presigned ``PUT`` of one part of a multipart upload."""
        params = {"Bucket": self.bucket, "Key": key, "UploadId": upload_id, "PartNumber": number}
        return self._presign("upload_part", params, ttl)

    def _presign(self, method: str, params: dict[str, Any], ttl: int) -> str:
        try:
            url: str = self._s3.generate_presigned_url(method, Params=params, ExpiresIn=ttl)
        except Exception as exc:
            raise S3Error(f"S3 presigning failed: {exc}", _code(exc)) from exc
        return url

    # ------------------------------------------------------------------ multipart
    def create_multipart(self, key: str, content_type: str | None) -> str:
        """Start a multipart upload; return S3's upload id."""
        kwargs: dict[str, Any] = {"Key": key}
        if content_type:
            kwargs["ContentType"] = content_type
        return str(self._call("CreateMultipartUpload", "create_multipart_upload", **kwargs)["UploadId"])

    def complete_multipart(self, key: str, upload_id: str, etags: list[str]) -> None:
        """Join the parts (``etags[i]`` is part ``i + 1``'s ETag as the client reported it)."""
        parts = [{"PartNumber": n, "ETag": etag} for n, etag in enumerate(etags, start=1)]
        self._call("CompleteMultipartUpload", "complete_multipart_upload", Key=key, UploadId=upload_id,
                   MultipartUpload={"Parts": parts})  # fmt: skip

    def abort_multipart(self, key: str, upload_id: str) -> None:
        """Abort a multipart upload (its parts are dropped); no error when it is already gone."""
        try:
            self._call("AbortMultipartUpload", "abort_multipart_upload", Key=key, UploadId=upload_id)
        except S3Error as exc:
            if exc.code not in ("NoSuchUpload", "404"):
                raise

    def list_multiparts(self, prefix: str, limit: int) -> list[PendingMultipart]:
        """Up to ``limit`` multipart uploads under ``prefix`` that are neither completed nor aborted."""
        page = self._call("ListMultipartUploads", "list_multipart_uploads", Prefix=prefix, MaxUploads=limit)
        return [PendingMultipart(u["Key"], u["UploadId"], _age(u["Initiated"])) for u in page.get("Uploads", [])]


def _age(when: Any) -> float:
    from datetime import UTC, datetime

    return max(0.0, float((datetime.now(UTC) - when).total_seconds()))
