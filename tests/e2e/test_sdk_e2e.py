"""vi_ext against the reference server: the documented SDK end to end, and bad input (issue 5)."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.images import truncated_jpeg, write_image
from tests.helpers.server_harness import RunningServer
from vi.api.types import PaginationParams
from vi_ext import (
    Client,
    FailureMode,
    ViAuthenticationError,
    ViConfigurationError,
    ViFileTooLargeError,
    ViNotFoundError,
    ViPermissionError,
    ViValidationError,
)
from vi_ext.progress import ProgressEvent


@pytest.fixture
def client(server: RunningServer) -> Client:
    return Client(config_file=server.data_dir / "credentials.json")


def new_dataset(client: Client) -> str:
    dataset = "sdk-" + uuid.uuid4().hex[:8]
    client.datasets.create(dataset, dataset_id=dataset)
    return dataset


def test_three_hundred_images_round_trip(client: Client, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    originals: dict[str, bytes] = {}
    for i in range(300):
        sub = ["train/cat", "train/dog", "val/cat"][i % 3]
        ext = ["jpg", "png", "webp"][i % 3]
        name = f"{sub}/dup.jpg" if i in (0, 2) else f"{sub}/{i:04d}.{ext}"
        originals[name] = write_image(folder / name, seed=i, size=(24, 16))
    assert {"train/cat/dup.jpg", "val/cat/dup.jpg"} <= originals.keys()  # two files share a basename
    dataset = new_dataset(client)
    events: list[ProgressEvent] = []
    result = client.assets.upload(dataset, folder, batch_size=100, show_progress=False, progress=events.append)
    assert (result.total_files, result.total_succeeded, result.total_failed) == (300, 300, 0), result.summary()
    assert len(result.sessions) == len(set(result.session_ids)) == 3
    sent = [e for e in events if e.phase == "upload"][-1]  # then the "ingest" phase
    assert (sent.done_files, sent.done_bytes) == (300, sum(map(len, originals.values())))
    assert (events[-1].phase, events[-1].done_files) == ("ingest", 300)

    listing = client.assets.list(dataset, pagination=PaginationParams(page_size=7))
    assets = list(listing.all_items())
    assert sorted(a.filename for a in assets) == sorted(originals)
    for asset in assets:
        full = client.assets.get(dataset, asset.asset_id, contents=True)
        assert full.contents is not None
        assert full.contents.asset is not None
        assert full.metadata.file_size == len(originals[asset.filename])
        assert full.dataset_id == dataset

    downloaded = client.assets.download(dataset, tmp_path / "out", show_progress=False)
    assert (downloaded.count, downloaded.downloaded, downloaded.failed) == (300, 300, 0)
    for name, data in originals.items():
        assert (tmp_path / "out" / dataset / name).read_bytes() == data
    again = client.assets.download(dataset, tmp_path / "out", show_progress=False)
    assert (again.downloaded, again.skipped) == (0, 300)

    deleted = client.assets.delete(dataset, assets[0].asset_id)
    assert (deleted.asset_id, deleted.deleted) == (assets[0].asset_id, True)
    session = client.datasets.bulk_delete_assets(dataset)
    assert session.is_finished
    assert client.assets.list(dataset).items == []


def test_failures_are_reported_per_file(client: Client, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    write_image(folder / "good.jpg", seed=1)
    (folder / "corrupt.jpg").write_bytes(truncated_jpeg())
    (folder / "empty.png").write_bytes(b"")
    (folder / "readme.txt").write_text("not an image")
    dataset = new_dataset(client)
    result = client.assets.upload(dataset, folder, failure_mode=FailureMode.FAIL_AFTER_ALL, show_progress=False)
    assert result.total_files == 3
    assert result.total_succeeded == 1
    assert result.failed_files == [str(folder / "corrupt.jpg"), str(folder / "empty.png")]
    assert {f.filename: f.code for f in result.failures} == {"corrupt.jpg": "ECORRUPT", "empty.png": "EMPTY_FILE"}
    assert result.skipped_files == [str(folder / "readme.txt")]
    assert "corrupt.jpg [ECORRUPT]" in result.summary()


def test_custom_metadata_and_no_wait(client: Client, tmp_path: Path) -> None:
    write_image(tmp_path / "a.jpg", seed=3)
    dataset = new_dataset(client)
    result = client.assets.upload(
        dataset, str(tmp_path / "a.jpg"), wait_until_done=False, custom_metadata={"scene": "beach"}, show_progress=False
    )
    assert result.total_files == 1
    final = client.assets.wait_until_done(dataset, result.session_ids[0])
    assert final.status.progressCount.succeeded == 1
    assert final.spec.failureMode == FailureMode.FAIL_AFTER_ONE
    (asset,) = client.assets.list(dataset).items
    assert asset.metadata.custom_metadata == {"scene": "beach"}
    assert client.assets.list(dataset, metadata_query='scene == "beach"').items[0].asset_id == asset.asset_id


def test_bad_input_gets_typed_errors(client: Client, server: RunningServer, tmp_path: Path) -> None:
    dataset = new_dataset(client)
    with pytest.raises(ViValidationError, match="path not found"):
        client.assets.upload(dataset, tmp_path / "missing", show_progress=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ViValidationError, match="no image files"):
        client.assets.upload(dataset, tmp_path / "empty", show_progress=False)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(ViValidationError, match="unsupported extensions"):
        client.assets.upload(dataset, tmp_path / "docs", show_progress=False)
    big = tmp_path / "big"
    write_image(big / "small.jpg", seed=1)
    write_image(big / "large.png", size=(300, 300), seed=2)
    with pytest.raises(ViFileTooLargeError, match=r"large\.png"):
        client.assets.upload(dataset, big, max_file_size=10_000, show_progress=False)
    assert client.assets.list(dataset).items == []  # nothing was sent
    result = client.assets.upload(dataset, big, max_file_size=10_000, failure_mode="FailAfterAll", show_progress=False)
    assert [(f.filename, f.code) for f in result.failures] == [("large.png", "FILE_TOO_LARGE")]
    assert result.total_succeeded == 1
    with pytest.raises(ViNotFoundError):
        client.assets.upload("no-such-dataset", big / "small.jpg", show_progress=False)
    with pytest.raises(ViValidationError):
        client.assets.list("bad id!")


def test_wrong_credentials(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong_key = Client("dtvi_" + "z" * 98, server.org, server.endpoint)
    with pytest.raises(ViAuthenticationError):
        wrong_key.datasets.list()
    other = server.new_org()
    wrong_org = Client(server.key, other["organization_id"], server.endpoint)
    with pytest.raises(ViPermissionError):
        wrong_org.datasets.list()
    for name in ("DATATURE_VI_SECRET_KEY", "DATATURE_VI_ORGANIZATION_ID", "DATATURE_VI_API_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ViConfigurationError, match="secret_key and organization_id"):
        Client()


def test_five_hundred_assets_download_verified_skipped_and_overwritten(
    client: Client, server: RunningServer, tmp_path: Path
) -> None:
    from vi_server.testing.seed import seed_assets

    dataset = new_dataset(client)
    seed_assets(server.data_dir, server.org, dataset, 500, prefix="deep/er/")
    listed = {a.filename: a for a in client.assets.list(dataset, pagination={"page_size": 1000}).items}
    first = client.assets.download(dataset, tmp_path, show_progress=False, max_workers=8)
    assert (first.count, first.downloaded, first.failed) == (500, 500, 0)
    for name, asset in listed.items():
        data = (tmp_path / dataset / name).read_bytes()
        assert len(data) == asset.metadata.file_size
        assert hashlib.sha256(data).hexdigest() == asset.metadata.hash.contents
    again = client.assets.download(dataset, tmp_path, show_progress=False)
    assert (again.downloaded, again.skipped) == (0, 500)
    (tmp_path / dataset / "deep/er/0000007.png").write_bytes(b"tampered")
    repaired = client.assets.download(dataset, tmp_path, show_progress=False)
    assert (repaired.downloaded, repaired.skipped) == (1, 499)
    forced = client.assets.download(dataset, tmp_path, overwrite=True, show_progress=False)
    assert (forced.downloaded, forced.skipped) == (500, 0)


def test_multipart_upload_round_trips(fresh_server: RunningServer, tmp_path: Path) -> None:
    client = Client(config_file=fresh_server.data_dir / "credentials.json")
    data = write_image(tmp_path / "big" / "scan.png", size=(400, 300), seed=9)
    write_image(tmp_path / "big" / "small.jpg", seed=10)
    assert len(data) > 100_000
    dataset = new_dataset(client)
    result = client.assets.upload(dataset, tmp_path / "big", multipart_threshold=50_000, show_progress=False)
    assert (result.total_succeeded, result.total_failed) == (2, 0), result.summary()
    client.assets.download(dataset, tmp_path / "out", show_progress=False)
    assert (tmp_path / "out" / dataset / "scan.png").read_bytes() == data


def test_server_sent_names_never_escape_save_dir(client: Client, server: RunningServer, tmp_path: Path) -> None:
    from vi_server.testing.proxy import RunningProxy

    dataset = new_dataset(client)
    folder = tmp_path / "in"
    for i in range(6):
        write_image(folder / f"f{i}.jpg", seed=40 + i)
    client.assets.upload(dataset, folder, show_progress=False)
    evil = ["../evil.jpg", "/etc/x.jpg", "a/../../b.jpg", "..\\x.jpg", "CON.jpg", "ok/fine.jpg"]

    def rename(path: str, body: Any) -> Any:
        for item, name in zip(sorted(body.get("items", []), key=lambda a: a["filename"]), evil, strict=False):
            item["filename"] = name
        return body

    save = tmp_path / "save"
    with RunningProxy(server.endpoint, rename) as proxy:
        via = Client(server.key, server.org, proxy.endpoint)
        result = via.assets.download(dataset, save, show_progress=False)
    assert (result.downloaded, result.failed) == (1, 5)
    assert sorted(f.filename for f in result.failures) == sorted(evil[:5])
    written = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file() and "in/" not in str(p)]
    assert [w for w in written if not w.startswith("in/")] == [f"save/{dataset}/ok/fine.jpg"]


def test_errors_name_the_dataset_id_the_user_gave(client: Client) -> None:
    with pytest.raises(ViNotFoundError) as info:
        client.datasets.get("no-such-dataset")
    assert "'no-such-dataset'" in str(info.value)
    assert client.organization_id not in str(info.value)
