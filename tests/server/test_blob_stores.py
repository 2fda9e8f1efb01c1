"""Choosing the blob store (``--blob-url``) and S3's part-size floor (issue 18)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vi_server.blobs import BlobStore
from vi_server.errors import ApiError
from vi_server.s3_blobs import S3BlobStore, open_blob_store
from vi_server.s3_client import S3Error
from vi_server.s3_multipart import MIN_PART_ENV, S3_MIN_PART_SIZE, part_size
from vi_server.storage_errors import disk_full_as_507


def test_the_blob_url_chooses_the_store(tmp_path: Path) -> None:
    default = open_blob_store(tmp_path / "data")
    assert type(default) is BlobStore
    assert default.blobs == tmp_path / "data" / "blobs"
    elsewhere = open_blob_store(tmp_path / "data", f"file://{tmp_path}/shared%20blobs")
    assert type(elsewhere) is BlobStore
    assert elsewhere.blobs == tmp_path / "shared blobs" / "blobs"
    s3 = open_blob_store(tmp_path / "data", "s3://team-bucket/vi/prod/", "http://127.0.0.1:9")
    assert isinstance(s3, S3BlobStore)
    assert (s3.client.bucket, s3.client.location.prefix) == ("team-bucket", "vi/prod")
    assert s3.blob_key("ab" + "c" * 62) == "vi/prod/blobs/ab/" + "c" * 62
    assert s3.staging_key("u1") == "vi/prod/staging/u1"
    assert s3.staging == tmp_path / "data" / "staging"  # local scratch for the checks


@pytest.mark.parametrize("url", ["gs://bucket/x", "file://host/x", "s3:///no-bucket", "/plain/path"])
def test_unsupported_blob_urls_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError, match=r"--blob-url|s3://"):
        open_blob_store(tmp_path, url)


def test_parts_on_s3_are_at_least_the_store_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MIN_PART_ENV, raising=False)
    assert part_size(40_000) == S3_MIN_PART_SIZE
    assert part_size(64 << 20) == 64 << 20
    monkeypatch.setenv(MIN_PART_ENV, "1000")
    assert part_size(40_000) == 40_000
    monkeypatch.setenv(MIN_PART_ENV, "lots")
    with pytest.raises(ValueError, match=MIN_PART_ENV):
        part_size(40_000)


def test_serve_with_a_bad_blob_url_fails_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vi_server", "serve", "--data-dir", str(tmp_path / "d"), "--port", "0",
         "--blob-url", "gs://bucket/x"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "error: cannot serve: --blob-url 'gs://bucket/x'" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_object_store_failure_in_a_handler_answers_503() -> None:
    def handler(_: object) -> None:
        raise S3Error("S3 PUT failed: no credentials", "NoCredentials")

    with pytest.raises(ApiError) as caught:
        disk_full_as_507(handler)(None)
    assert caught.value.status == 503
    assert "object store failed (NoCredentials)" in caught.value.message
