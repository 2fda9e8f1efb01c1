"""The upload pipeline: checks of the next chunk overlap the PUTs of the current batch (issue 17 items 3-4)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client
from vi_ext.files import LocalFile
from vi_ext.resources import AssetsResource
from vi_ext.upload import Uploader


def test_the_first_put_does_not_wait_for_every_checksum(
    server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(30):
        write_image(tmp_path / "src" / f"{i:02d}.png", seed=i, size=(8, 8))
    events: list[tuple[str, str]] = []
    crc, sent = Uploader._crc_or_none, Uploader._sent

    def spy_crc(self: Uploader, f: LocalFile) -> int | None:
        events.append(("crc", f.filename))
        return crc(self, f)

    def spy_sent(self: Uploader, f: LocalFile) -> None:
        events.append(("put", f.filename))
        sent(self, f)

    monkeypatch.setattr(Uploader, "_crc_or_none", spy_crc)
    monkeypatch.setattr(Uploader, "_sent", spy_sent)
    dataset = "pipe-" + uuid.uuid4().hex[:8]
    with Client(config_file=server.data_dir / "credentials.json") as client:
        client.datasets.create(dataset, dataset_id=dataset)
        result = client.assets.upload(dataset, tmp_path / "src", batch_size=10, show_progress=False)
    assert (result.total_files, result.total_succeeded, len(result.sessions)) == (30, 30, 3)
    first_put = events.index(("put", "00.png"))
    last_chunk = min(i for i, (kind, name) in enumerate(events) if kind == "crc" and name >= "20")
    assert first_put < last_chunk  # batch 1 went out before the third chunk was even read
    assert sorted(name for kind, name in events if kind == "crc") == [f"{i:02d}.png" for i in range(30)]


def test_skip_existing_asks_per_chunk(server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(25):
        write_image(tmp_path / "src" / f"{i:02d}.png", seed=i, size=(8, 8))
    asked: list[int] = []
    already_there = AssetsResource._already_there

    def spy(self: AssetsResource, dataset_id: str, files: Any) -> set[str]:
        asked.append(len(files))
        return already_there(self, dataset_id, files)

    monkeypatch.setattr(AssetsResource, "_already_there", spy)
    dataset = "pipe-" + uuid.uuid4().hex[:8]
    with Client(config_file=server.data_dir / "credentials.json") as client:
        client.datasets.create(dataset, dataset_id=dataset)
        client.assets.upload(dataset, [tmp_path / "src" / f"{i:02d}.png" for i in range(0, 25, 2)], show_progress=False)
        result = client.assets.upload(dataset, tmp_path / "src", batch_size=10, skip_existing=True, show_progress=False)
    assert asked == [10, 10, 5]
    assert (result.total_files, result.total_succeeded, result.total_failed) == (25, 25, 0)
    assert len(result.existing_files) == 13
    assert len(result.sessions) == 2  # the 12 missing files: batches of 10 and 2
