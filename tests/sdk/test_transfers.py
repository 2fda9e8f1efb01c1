"""Transfers under misbehaviour, scripted with httpx.MockTransport (issue 6)."""

from __future__ import annotations

import copy
import email.utils
import hashlib
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.fake_vi import KEY, ORG, SCHEMAS, FakeVi
from tests.helpers.images import write_image
from vi_ext import Client, ViTimeoutError
from vi_ext.multipart import part_ranges
from vi_ext.results import AssetUploadResult


def client_for(fake: FakeVi, sleeps: list[float] | None = None) -> Client:
    record = sleeps if sleeps is not None else []
    return Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(fake.api),
                  storage_transport=httpx.MockTransport(fake.storage), sleep=record.append)  # fmt: skip


def two_images(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path / "imgs"
    data = {name: write_image(folder / name, seed=i) for i, name in enumerate(["a.jpg", "sub/b.png"])}
    return folder, data


def test_connection_reset_mid_put_is_retried_with_the_file_rewound(tmp_path: Path) -> None:
    def script(request: httpx.Request, n: int) -> httpx.Response | Exception:
        return httpx.RemoteProtocolError("peer closed connection mid-body") if n == 1 else httpx.Response(200)

    fake = FakeVi(storage_script=script)
    folder, data = two_images(tmp_path)
    result = client_for(fake).assets.upload("ds", folder, show_progress=False)
    assert (result.total_succeeded, result.total_failed) == (2, 0)
    assert len(fake.puts) == 4
    assert {url.rsplit("/", 1)[1]: body for url, body in fake.bodies.items()} == {"a.jpg": data["a.jpg"],
                                                                                  "b.png": data["sub/b.png"]}  # fmt: skip
    assert all(length == str(size) for _, size, length in fake.puts)  # Content-Length, never chunked


def test_403_on_a_signed_url_gets_a_fresh_url_from_a_new_session(tmp_path: Path) -> None:
    fake = FakeVi(storage_script=lambda r, n: httpx.Response(403) if "/s0/" in str(r.url) else httpx.Response(200))
    folder, _ = two_images(tmp_path)
    result = client_for(fake).assets.upload("ds", folder, show_progress=False)
    assert (result.total_succeeded, result.total_failed) == (2, 0)
    assert result.session_ids == ["s0", "s1"]
    assert fake.cancelled == ["s0"]  # the abandoned session is closed, not left to time out


def test_storage_errors_are_never_swallowed(tmp_path: Path) -> None:
    fake = FakeVi(storage_script=lambda r, n: httpx.Response(400, text="bad request") if "b.png" in str(r.url)
                  else httpx.Response(200))  # fmt: skip
    folder, _ = two_images(tmp_path)
    result = client_for(fake).assets.upload("ds", folder, failure_mode="FailAfterAll", show_progress=False)
    assert result.total_succeeded == 1
    assert [(f.filename, f.code) for f in result.failures] == [("sub/b.png", "UPLOAD_FAILED")]
    assert "HTTP 400" in result.failures[0].message


def test_429_with_an_http_date_retry_after_is_honoured() -> None:
    when = email.utils.formatdate(time.time() + 4, usegmt=True)
    answers = [
        httpx.Response(429, headers={"Retry-After": when}),
        httpx.Response(200, json={"items": [], "nextPage": None}),
    ]
    sleeps: list[float] = []
    client = Client(
        KEY, ORG, "http://vi.test", transport=httpx.MockTransport(lambda _: answers.pop(0)), sleep=sleeps.append
    )
    assert client.assets.list("ds").items == []
    assert 2.5 < sleeps[0] <= 4.5


def test_an_upload_whose_ingestion_never_finishes_times_out_with_a_partial_result(tmp_path: Path) -> None:
    fake = FakeVi(finish=False)
    folder, _ = two_images(tmp_path)
    start = time.monotonic()
    with pytest.raises(ViTimeoutError) as caught:
        Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(fake.api),
               storage_transport=httpx.MockTransport(fake.storage)).assets.upload(
            "ds", folder, timeout=0.6, show_progress=False)  # fmt: skip
    assert time.monotonic() - start < 5
    partial = caught.value.partial_result
    assert isinstance(partial, AssetUploadResult)
    assert (partial.total_files, partial.total_processing) == (2, 2)


def asset_with_url(url: str, data: bytes) -> dict[str, Any]:
    asset: dict[str, Any] = copy.deepcopy(SCHEMAS["Asset"]["example"])
    asset["datasetId"] = f"{ORG}_ds"
    asset["filename"] = "x/y.jpg"
    asset["metadata"]["fileSize"] = len(data)
    asset["metadata"]["hash"] = {"algorithm": "sha256", "contents": hashlib.sha256(data).hexdigest()}
    asset["contents"] = {"asset": {"url": url, "expiry": 4102444800000}}
    return asset


def test_an_expired_download_url_is_refreshed(tmp_path: Path) -> None:
    data = b"\xff\xd8 fresh bytes"
    dataset = copy.deepcopy(SCHEMAS["Dataset"]["example"])
    dataset["datasetId"] = f"{ORG}_ds"
    dataset["statistic"]["assetTotal"] = 1
    refreshed: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/assets"):
            return httpx.Response(
                200, json={"items": [asset_with_url("http://storage.test/old", data)], "nextPage": None}
            )
        if "/assets/" in request.url.path:
            refreshed.append(request.url.params.get("contents", ""))
            return httpx.Response(200, json=asset_with_url("http://storage.test/new", data))
        return httpx.Response(200, json=dataset)

    def storage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403) if request.url.path == "/old" else httpx.Response(200, content=data)

    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(api),
                    storage_transport=httpx.MockTransport(storage))  # fmt: skip
    result = client.assets.download("ds", tmp_path, show_progress=False)
    assert (result.downloaded, result.failed) == (1, 0)
    assert refreshed == ["y"]
    assert (tmp_path / "ds" / "x" / "y.jpg").read_bytes() == data


def test_a_truncated_download_is_retried_and_never_left_on_disk(tmp_path: Path) -> None:
    data = b"0123456789" * 100
    dataset = copy.deepcopy(SCHEMAS["Dataset"]["example"])
    dataset["datasetId"] = f"{ORG}_ds"
    calls: list[int] = []

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/assets"):
            return httpx.Response(
                200, json={"items": [asset_with_url("http://storage.test/a", data)], "nextPage": None}
            )
        return httpx.Response(200, json=dataset)

    def storage(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, content=data[:500] if len(calls) < 3 else data)

    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(api),
                    storage_transport=httpx.MockTransport(storage), sleep=lambda _: None)  # fmt: skip
    result = client.assets.download("ds", tmp_path, show_progress=False)
    assert (result.downloaded, len(calls)) == (1, 3)
    assert (tmp_path / "ds" / "x" / "y.jpg").read_bytes() == data
    assert [p.name for p in (tmp_path / "ds" / "x").iterdir()] == ["y.jpg"]  # no temp files left


def test_part_ranges_match_the_server_rule() -> None:
    assert part_ranges(10, 3) == [(0, 3), (3, 3), (6, 4)]
    assert part_ranges(9, 1) == [(0, 9)]
    with pytest.raises(ValueError, match="cannot split"):
        part_ranges(2, 3)
