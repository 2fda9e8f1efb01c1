"""Sharded uploads and downloads end to end on an in-process Dask cluster and on the local engine."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client, distributed
from vi_ext.manifest import ManifestEntry, write_manifest


def make_folder(root: Path, count: int) -> dict[str, bytes]:
    files = {}
    for i in range(count):
        name = f"{['cat', 'dog', 'bird'][i % 3]}/{i:04d}.png"
        files[name] = write_image(root / name, seed=i, size=(12, 8))
    (root / ".git").mkdir()
    (root / ".git" / "x.png").write_bytes(files[name])  # default-excluded
    (root / "__MACOSX").mkdir()
    (root / "__MACOSX" / "y.png").write_bytes(files[name])
    return files


def listing(client: Client, dataset: str) -> set[str]:
    return {a.filename for a in client.assets.list(dataset).all_items()}


def test_dask_in_process_uploads_and_downloads_a_few_hundred_files(server: RunningServer, tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'vi-ext[dask]'")
    creds = str(server.data_dir / "credentials.json")
    files = make_folder(tmp_path / "src", 240)
    dataset = "dist-" + uuid.uuid4().hex[:8]
    with Client(config_file=creds) as client:
        client.datasets.create(dataset, dataset_id=dataset)
        ledger = tmp_path / "ledger"
        result = distributed.upload(
            dataset, tmp_path / "src", config_file=creds, engine="dask", processes=0, shard_size=64,
            prefix="train/", ledger_dir=ledger, failure_mode="FailAfterAll",
        )  # fmt: skip
        assert (result.total_files, result.total_succeeded, result.total_failed) == (240, 240, 0), result.summary()
        assert len(result.sessions) >= 4  # several shards, one session each
        assert listing(client, dataset) == {f"train/{n}" for n in files}
        again = distributed.upload(
            dataset, tmp_path / "src", config_file=creds, engine="dask", processes=0, shard_size=64,
            prefix="train/", ledger_dir=ledger,
        )  # fmt: skip
        assert (again.total_files, again.total_succeeded, again.bytes_sent, again.sessions) == (240, 240, 0, [])

        out = tmp_path / "out"
        got = distributed.download(dataset, out, config_file=creds, engine="dask", processes=0, shard_size=64)
        assert (got.count, got.downloaded, got.failed) == (240, 240, 0)
        for name, data in files.items():
            assert (
                hashlib.sha256((out / dataset / "train" / name).read_bytes()).digest() == hashlib.sha256(data).digest()
            )


def test_local_engine_takes_a_manifest_and_reports_per_file_failures(server: RunningServer, tmp_path: Path) -> None:
    creds = str(server.data_dir / "credentials.json")
    files = make_folder(tmp_path / "src", 30)
    (tmp_path / "src" / "bad.png").write_bytes(b"not an image at all")
    entries = [ManifestEntry(tmp_path / "src" / n, f"m/{n}", len(d)) for n, d in files.items()]
    entries.append(ManifestEntry(tmp_path / "src" / "bad.png", "m/bad.png", 19))
    entries.append(ManifestEntry(tmp_path / "src" / "gone.png", "m/gone.png", 10))
    manifest = tmp_path / "files.jsonl"
    write_manifest(manifest, entries)
    dataset = "distm-" + uuid.uuid4().hex[:8]
    with Client(config_file=creds) as client:
        client.datasets.create(dataset, dataset_id=dataset)
        result = distributed.upload(
            dataset, manifest, config_file=creds, engine="local", processes=0, shard_size=8, failure_mode="FailAfterAll"
        )
        assert (result.total_files, result.total_succeeded, result.total_failed) == (32, 30, 2), result.summary()
        assert {f.filename for f in result.failures} == {"m/bad.png", "m/gone.png"}
        assert listing(client, dataset) == {f"m/{n}" for n in files}
