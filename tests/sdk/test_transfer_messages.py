"""What transfers report when they give up: pinned before the retry loops became one engine (issue 16)."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.fake_vi import KEY, ORG, SCHEMAS, FakeVi
from tests.helpers.images import write_image
from vi_ext import Client, ViServerError
from vi_ext.retry import RetryPolicy

DATA = b"\xff\xd8 some bytes"


def asset_json(url: str, expiry: int = 4102444800000) -> dict[str, Any]:
    asset: dict[str, Any] = copy.deepcopy(SCHEMAS["Asset"]["example"])
    asset["datasetId"] = f"{ORG}_ds"
    asset["filename"] = "y.jpg"
    asset["metadata"]["fileSize"] = len(DATA)
    asset["metadata"]["hash"] = {"algorithm": "sha256", "contents": hashlib.sha256(DATA).hexdigest()}
    asset["contents"] = {"asset": {"url": url, "expiry": expiry}}
    return asset


def download(tmp_path: Path, storage: httpx.MockTransport, expiry: int = 4102444800000) -> tuple[list[str], list[str]]:
    """Download one asset through ``storage``; return the failure messages and the refreshes asked for."""
    dataset = copy.deepcopy(SCHEMAS["Dataset"]["example"])
    dataset["datasetId"] = f"{ORG}_ds"
    dataset["statistic"]["assetTotal"] = 1
    refreshed: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/assets"):
            return httpx.Response(200, json={"items": [asset_json("http://storage.test/a?sig=s", expiry)]})
        if "/assets/" in request.url.path:
            refreshed.append(request.url.path.rsplit("/", 1)[1])
            return httpx.Response(200, json=asset_json("http://storage.test/b?sig=s", expiry))
        return httpx.Response(200, json=dataset)

    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(api), storage_transport=storage,
                    sleep=lambda _: None)  # fmt: skip
    result = client.assets.download("ds", tmp_path, show_progress=False)
    return [f.message for f in result.failures], refreshed


def test_a_download_refused_twice_names_the_refresh(tmp_path: Path) -> None:
    calls: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(403)

    messages, refreshed = download(tmp_path, httpx.MockTransport(refuse))
    assert messages == ["the download URL was refused even after a refresh"]
    assert calls == ["/a", "/b"]
    assert len(refreshed) == 1


def test_an_expired_download_url_is_refreshed_before_anything_is_sent(tmp_path: Path) -> None:
    calls: list[str] = []

    def count(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, content=DATA)

    messages, refreshed = download(tmp_path, httpx.MockTransport(count), expiry=1000)
    assert messages == ["the download URL was refused even after a refresh"]
    assert calls == []
    assert len(refreshed) == 1


def test_a_download_that_keeps_failing_names_its_attempts(tmp_path: Path) -> None:
    calls: list[str] = []

    def busy(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(503)

    messages, _ = download(tmp_path, httpx.MockTransport(busy))
    assert messages == ["download failed after 6 attempts: HTTP 503"]
    assert len(calls) == 6


def test_a_download_answered_404_is_not_retried(tmp_path: Path) -> None:
    calls: list[str] = []

    def gone(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(404)

    messages, _ = download(tmp_path, httpx.MockTransport(gone))
    assert messages == ["storage answered HTTP 404"]
    assert calls == ["/a"]


def test_a_download_with_no_answer_names_the_transport_error(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    messages, _ = download(tmp_path, httpx.MockTransport(refuse))
    assert messages == ["download failed after 6 attempts: connection refused"]


def test_a_put_that_keeps_failing_names_its_attempts(tmp_path: Path) -> None:
    fake = FakeVi(storage_script=lambda r, n: httpx.Response(503, text="busy"))
    write_image(tmp_path / "imgs" / "a.jpg", seed=1)
    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(fake.api),
                    storage_transport=httpx.MockTransport(fake.storage), sleep=lambda _: None)  # fmt: skip
    result = client.assets.upload("ds", tmp_path / "imgs", failure_mode="FailAfterAll", show_progress=False)
    assert [(f.code, f.message) for f in result.failures] == [
        ("UPLOAD_FAILED", "storage answered HTTP 503: busy (after 6 attempts)")
    ]
    assert len(fake.puts) == 6


def test_the_api_returns_the_last_answer_when_its_budget_is_spent() -> None:
    calls: list[int] = []

    def busy(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503, json={"message": "busy"})

    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(busy), sleep=lambda _: None)
    with pytest.raises(ViServerError, match="busy"):
        client.datasets.get("ds")
    assert len(calls) == RetryPolicy().max_retries + 1


def test_the_api_raises_the_last_error_when_its_budget_is_spent() -> None:
    calls: list[int] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("refused")

    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(refuse), sleep=lambda _: None)
    with pytest.raises(Exception, match="cannot reach the server: refused"):
        client.datasets.get("ds")
    assert len(calls) == RetryPolicy().max_retries + 1


def multipart_upload(
    tmp_path: Path, part_answer: httpx.Response | None, url_status: int = 200
) -> tuple[Any, list[str]]:
    """Upload one file in one part; storage answers ``part_answer`` to every part PUT."""
    fake = FakeVi()
    multipart = copy.deepcopy(SCHEMAS["MultipartUpload"]["example"])
    multipart["status"]["partCount"] = 1
    multipart["multipartUploadId"] = "m1"
    calls: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/multipartUploads"):
            return httpx.Response(201, json=multipart)
        if path.endswith("/multipartUploads/m1/parts/1"):
            calls.append("url")
            if url_status != 200:
                return httpx.Response(url_status, json={"message": "no URL for you"})
            url = {"method": "PUT", "url": "http://storage.test/s0/big.jpg", "expiry": 4102444800000,
                   "responseHeaders": [], "responseBody": False}  # fmt: skip
            return httpx.Response(200, json=url)
        if request.method == "DELETE" and path.endswith("/multipartUploads/m1"):
            calls.append("abort")
            return httpx.Response(200, json=multipart)
        return fake.api(request)

    def storage(request: httpx.Request) -> httpx.Response:
        calls.append("put")
        assert part_answer is not None
        return part_answer

    write_image(tmp_path / "imgs" / "big.jpg", seed=2)
    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(api),
                    storage_transport=httpx.MockTransport(storage), sleep=lambda _: None)  # fmt: skip
    result = client.assets.upload("ds", tmp_path / "imgs", multipart_threshold=1, failure_mode="FailAfterAll",
                                  wait_until_done=False, show_progress=False)  # fmt: skip
    return [(f.code, f.message) for f in result.failures], calls


def test_a_part_refused_three_times_is_aborted(tmp_path: Path) -> None:
    failures, calls = multipart_upload(tmp_path, httpx.Response(403))
    assert failures == [
        ("UPLOAD_FAILED", "multipart upload failed and was aborted: part 1: storage refused 3 fresh URLs (403)")
    ]
    assert calls == ["url", "put"] * 3 + ["abort"]


def test_a_part_answered_400_is_aborted(tmp_path: Path) -> None:
    failures, calls = multipart_upload(tmp_path, httpx.Response(400, text="bad part"))
    assert failures == [
        ("UPLOAD_FAILED", "multipart upload failed and was aborted: part 1: storage answered HTTP 400: bad part")
    ]
    assert calls == ["url", "put", "abort"]


def test_a_part_closed_by_storage_is_not_an_upload_failure(tmp_path: Path) -> None:
    failures, calls = multipart_upload(tmp_path, httpx.Response(409, text="stopped"))
    assert failures == [
        ("NOT_SENT", "not sent: multipart upload failed and was aborted: part 1: storage answered HTTP 409: stopped")
    ]
    assert calls == ["url", "put", "abort"]


def test_a_part_url_the_api_refuses_is_aborted(tmp_path: Path) -> None:
    failures, calls = multipart_upload(tmp_path, None, url_status=400)
    assert failures == [("UPLOAD_FAILED", "multipart upload failed and was aborted: no URL for you (HTTP 400)")]
    assert calls == ["url", "abort"]
