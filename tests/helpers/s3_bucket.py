"""Look into the bucket of a test server on an S3 backend (what its blob store holds)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vi_server.testing.process import RunningServer
from vi_server.testing.s3 import S3_TEST_ENV

__all__ = ["Bucket", "bucket_of", "eventually"]


@dataclass
class Bucket:
    """The bucket and prefix of one server's ``--blob-url``."""

    endpoint: str
    name: str
    prefix: str

    def __post_init__(self) -> None:
        import boto3

        self.client: Any = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=S3_TEST_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_TEST_ENV["AWS_SECRET_ACCESS_KEY"],
            region_name=S3_TEST_ENV["AWS_DEFAULT_REGION"],
        )

    def keys(self, area: str) -> list[str]:
        """Keys under ``prefix/area/`` (``blobs`` or ``staging``), without that part."""
        start = f"{self.prefix}/{area}/" if self.prefix else f"{area}/"
        found: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=start):
            found += [o["Key"][len(start) :] for o in page.get("Contents", [])]
        return found

    def blob_hashes(self) -> set[str]:
        """The sha256 of every blob stored."""
        return {k.replace("/", "") for k in self.keys("blobs")}

    def multipart_uploads(self) -> list[str]:
        """Upload ids of multipart uploads neither completed nor aborted."""
        answer = self.client.list_multipart_uploads(Bucket=self.name, Prefix=self.prefix)
        return [u["UploadId"] for u in answer.get("Uploads", [])]


def bucket_of(server: RunningServer) -> Bucket | None:
    """The bucket a server stores blobs in, or ``None`` on the local blob store."""
    args = dict(zip(server.extra[:-1], server.extra[1:], strict=True)) if server.extra else {}
    url = args.get("--blob-url", "")
    if not url.startswith("s3://"):
        return None
    name, _, prefix = url[len("s3://") :].partition("/")
    return Bucket(args["--s3-endpoint"], name, prefix.strip("/"))


def eventually(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll ``check`` until it holds or ``timeout`` seconds passed; return whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def refused_or_swept(server: RunningServer, response: Any, refused: tuple[int, ...] = (409,)) -> None:
    """A PUT to a URL of a file that no longer takes bytes: refused locally, swept on S3.

    The object store accepts any PUT its presigned URL allows (it cannot ask the server); the
    server then deletes the staged object and ingests nothing.

    Args:
        server: The server the URL came from.
        response: The ``httpx`` response of the PUT.
        refused: The statuses the server's own storage route answers.
    """
    bucket = bucket_of(server)
    if bucket is None:
        assert response.status_code in refused, response.text
        return
    assert response.status_code == 200, response.text
    upload_id = response.request.url.path.rsplit("/", 1)[-1]
    assert eventually(lambda: upload_id not in bucket.keys("staging")), "the late object stayed in staging"
