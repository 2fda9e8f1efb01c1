"""FailAfterOne tells the truth (issue 13 item 1, issue 15 item 7): stop sending, say why, add up."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.helpers.fake_vi import KEY, ORG, FakeVi
from tests.helpers.images import truncated_jpeg, write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client
from vi_ext.results import AssetUploadResult, FileFailure, first_cause

STOP_CODES = {"ECORRUPT", "EUNKNOWN", "NOT_SENT"}


class CountingTransport(httpx.HTTPTransport):
    """A real storage transport that counts PUT answers by status."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: Counter[int] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.statuses[response.status_code] += 1
        return response


def adds_up(result: AssetUploadResult) -> None:
    assert result.total_succeeded + result.total_failed == result.total_files, result.summary()
    assert result.is_complete


def new_dataset(client: Client) -> str:
    dataset = "truth-" + uuid.uuid4().hex[:8]
    client.datasets.create(dataset, dataset_id=dataset)
    return dataset


def test_one_truncated_jpeg_among_200_files_is_the_cause_and_nothing_is_upload_failed(
    server: RunningServer, tmp_path: Path
) -> None:
    folder = tmp_path / "imgs"
    for i in range(200):
        write_image(folder / f"{i:04d}.jpg", seed=i, size=(24, 16))
    (folder / "0007.jpg").write_bytes(truncated_jpeg())
    storage = CountingTransport()
    client = Client(config_file=server.data_dir / "credentials.json", storage_transport=storage)
    dataset = new_dataset(client)

    result = client.assets.upload(dataset, folder, show_progress=False)  # default FailAfterOne, one batch

    codes = Counter(f.code for f in result.failures)
    assert set(codes) <= STOP_CODES, codes  # never UPLOAD_FAILED for a stopped session's 409
    assert codes["ECORRUPT"] == 1
    assert result.cause is not None
    assert (result.cause.path, result.cause.filename, result.cause.code) == (
        str(folder / "0007.jpg"),
        "0007.jpg",
        "ECORRUPT",
    )
    lines = result.summary().splitlines()
    assert lines[1].startswith(f"Cause: {folder / '0007.jpg'} [ECORRUPT]"), lines[:3]
    assert (
        lines[2]
        == f"Then: {codes['NOT_SENT']} not sent (NOT_SENT), {codes['EUNKNOWN']} not ingested by the server (EUNKNOWN)"
    )
    adds_up(result)
    # The client stopped sending: at most one 409 per worker (PUTs in flight when the session stopped).
    assert storage.statuses[409] <= client.max_workers, storage.statuses
    assert codes["NOT_SENT"] > 0
    # What the result says is what the dataset holds.
    listed = {a.filename for a in client.assets.list(dataset).all_items()}
    assert len(listed) == result.total_succeeded
    assert not listed & {f.filename for f in result.failures}


def test_a_server_side_error_stops_later_batches(server: RunningServer, tmp_path: Path) -> None:
    """Issue 15 item 7: with batch_size=1, no session is created after the first one fails."""
    folder = tmp_path / "imgs"
    (folder / "0.jpg").parent.mkdir(parents=True)
    (folder / "0.jpg").write_bytes(truncated_jpeg())
    for i in range(1, 4):
        write_image(folder / f"{i}.jpg", seed=i)
    client = Client(config_file=server.data_dir / "credentials.json")
    dataset = new_dataset(client)

    result = client.assets.upload(dataset, folder, batch_size=1, show_progress=False)

    assert len(result.sessions) == 1
    assert [(f.filename, f.code) for f in result.failures] == [
        ("0.jpg", "ECORRUPT"), ("1.jpg", "NOT_SENT"), ("2.jpg", "NOT_SENT"), ("3.jpg", "NOT_SENT"),
    ]  # fmt: skip
    assert getattr(result.cause, "code", None) == "ECORRUPT"
    adds_up(result)
    assert client.assets.list(dataset).items == []


@pytest.mark.parametrize(
    ("mode", "batch_size", "wait"),
    [("FailAfterOne", 10_000, True), ("FailAfterOne", 3, True), ("FailAfterAll", 3, True),
     ("FailAfterAll", 10_000, True), ("FailAfterOne", 10_000, False)],
)  # fmt: skip
def test_succeeded_plus_failed_is_every_file(
    server: RunningServer, tmp_path: Path, mode: str, batch_size: int, wait: bool
) -> None:
    folder = tmp_path / "mixed"
    for i in range(12):
        write_image(folder / "ok" / f"{i:02d}.png", seed=i)
    (folder / "ok" / "05.png").write_bytes(truncated_jpeg())  # a truncated JPEG named .png
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "notes.txt").write_text("skipped, not counted")
    client = Client(config_file=server.data_dir / "credentials.json")
    dataset = new_dataset(client)
    result = client.assets.upload(
        dataset, folder, failure_mode=mode, batch_size=batch_size, wait_until_done=wait, show_progress=False
    )
    assert result.total_files == 13
    if wait:
        adds_up(result)
    else:
        assert result.total_succeeded + result.total_failed + result.total_processing == result.total_files
    assert "UPLOAD_FAILED" not in {f.code for f in result.failures}
    assert getattr(result.cause, "code", None) in {"EMPTY_FILE", "ECORRUPT"}
    if mode == "FailAfterAll" and wait:
        assert result.total_succeeded == 11
        assert {f.code for f in result.failures} == {"EMPTY_FILE", "ECORRUPT"}


def test_a_409_stops_sending_to_that_session_and_is_never_upload_failed(tmp_path: Path) -> None:
    for i in range(6):
        write_image(tmp_path / f"{i}.jpg", seed=i)
    fake = FakeVi(
        storage_script=lambda request, n: (
            httpx.Response(409, json={"message": "this file no longer accepts uploads"})
            if request.url.path.endswith("/1.jpg")
            else httpx.Response(200)
        )
    )
    client = Client(KEY, ORG, "http://api.test", transport=httpx.MockTransport(fake.api),
                    storage_transport=httpx.MockTransport(fake.storage), max_workers=1,
                    sleep=lambda s: None)  # fmt: skip
    result = client.assets.upload("ds", tmp_path, show_progress=False, wait_until_done=False)
    assert [url.rsplit("/", 1)[1] for url, _, _ in fake.puts] == ["0.jpg", "1.jpg"]  # nothing after the 409
    assert [(f.filename, f.code) for f in result.failures] == [(f"{i}.jpg", "NOT_SENT") for i in range(1, 6)]
    assert "409" in result.failures[0].message


def test_first_cause_skips_consequences() -> None:
    real = FileFailure("b", "b", "ECORRUPT", "bad")
    failures = [FileFailure("a", "a", "EUNKNOWN", "stopped"), real, FileFailure("c", "c", "NOT_SENT", "")]
    assert first_cause(failures, {"a", "c"}) is real
    assert first_cause(failures, {"a", "b", "c"}) is failures[0]
    assert first_cause([], set()) is None


def test_a_409_on_a_multipart_start_stops_the_session_too(tmp_path: Path) -> None:
    for i in range(4):
        write_image(tmp_path / f"{i}.png", seed=i, size=(64, 64))
    fake = FakeVi()
    starts: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/multipartUploads"):
            starts.append(request.url.path)
            return httpx.Response(409, json={"message": "file '0.png' no longer accepts uploads (error)"})
        return fake.api(request)

    client = Client(KEY, ORG, "http://api.test", transport=httpx.MockTransport(api),
                    storage_transport=httpx.MockTransport(fake.storage), max_workers=1,
                    sleep=lambda s: None)  # fmt: skip
    result = client.assets.upload("ds", tmp_path, show_progress=False, wait_until_done=False, multipart_threshold=1)
    assert len(starts) == 1  # nothing more was tried once the session stopped
    assert [(f.filename, f.code) for f in result.failures] == [(f"{i}.png", "NOT_SENT") for i in range(4)]
    assert "no longer accepts uploads" in result.failures[0].message
