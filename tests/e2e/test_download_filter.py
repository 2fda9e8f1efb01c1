"""Filtered downloads fetch only the selected subset (issue 17 item 6)."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client


def test_download_with_filter_fetches_only_the_subset(server: RunningServer, tmp_path: Path) -> None:
    for i in range(6):
        write_image(tmp_path / "src" / f"{['cat', 'dog'][i % 2]}-{i}.png", seed=i, size=(8, 8))
    dataset = "dlf-" + uuid.uuid4().hex[:8]
    with Client(config_file=server.data_dir / "credentials.json") as client:
        client.datasets.create(dataset, dataset_id=dataset)
        client.assets.upload(dataset, tmp_path / "src", show_progress=False)
        got = client.assets.download(
            dataset, tmp_path / "out", show_progress=False, filter_criteria={"filename": ["cat-0.png", "cat-2.png"]}
        )
    assert (got.count, got.downloaded, got.failed) == (2, 2, 0)
    assert sorted(p.name for p in (tmp_path / "out" / dataset).iterdir()) == ["cat-0.png", "cat-2.png"]
