"""Sharded uploads and downloads end to end on an in-process Dask cluster and on the local engine."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client, distributed
from vi_ext.manifest import ManifestEntry, write_manifest

VI_EXT = str(Path(sys.executable).parent / "vi-ext")


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
        assert sorted(result.skipped_files) == [str(tmp_path / "src" / ".git"), str(tmp_path / "src" / "__MACOSX")]
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


def test_cli_engine_local_uploads_and_downloads_in_shards(server: RunningServer, tmp_path: Path) -> None:
    files = make_folder(tmp_path / "src", 24)
    dataset = "distc-" + uuid.uuid4().hex[:8]
    creds = str(server.data_dir / "credentials.json")
    with Client(config_file=creds) as client:
        client.datasets.create(dataset, dataset_id=dataset)
    up = cli(creds, "upload", str(tmp_path / "src"), "--dataset", dataset, "--engine", "local", "--shard-size", "8")
    assert up.returncode == 0, up.stderr
    out = json.loads(up.stdout)
    assert (out["total_files"], out["succeeded"], out["failed"]) == (24, 24, 0)
    assert len(out["session_ids"]) >= 3
    down = cli(creds, "download", str(tmp_path / "out"), "--dataset", dataset, "--engine", "local", "--shard-size", "8",
               "--include", "cat/*")  # fmt: skip
    assert down.returncode == 0, down.stderr
    assert (json.loads(down.stdout)["count"], json.loads(down.stdout)["downloaded"]) == (8, 8)
    for name in (n for n in files if n.startswith("cat/")):
        assert (tmp_path / "out" / dataset / name).read_bytes() == files[name]
    assert not (tmp_path / "out" / dataset / "dog").exists()
    bad = cli(creds, "upload", str(tmp_path / "src"), "--dataset", dataset, "--scheduler", "tcp://127.0.0.1:1")
    assert bad.returncode == 2
    assert "--scheduler needs --engine dask" in bad.stderr


def cli(creds: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATATURE_")}
    return subprocess.run([VI_EXT, "--config-file", creds, "--json", *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)  # fmt: skip


def test_cli_endpoint_option_reaches_the_shard_workers(server: RunningServer, tmp_path: Path) -> None:
    """`--endpoint` overrides the config file's endpoint on the driver AND on every shard worker."""
    files = make_folder(tmp_path / "src", 6)
    dataset = "diste-" + uuid.uuid4().hex[:8]
    creds_file = server.data_dir / "credentials.json"
    with Client(config_file=str(creds_file)) as client:
        client.datasets.create(dataset, dataset_id=dataset)
    stale = tmp_path / "stale-credentials.json"  # an old endpoint nobody listens on
    stale.write_text(json.dumps({**json.loads(creds_file.read_text()), "endpoint": "http://127.0.0.1:9"}))
    up = cli(str(stale), "--endpoint", server.endpoint, "upload", str(tmp_path / "src"), "--dataset", dataset,
             "--engine", "local", "--shard-size", "3")  # fmt: skip
    assert up.returncode == 0, up.stderr
    assert (json.loads(up.stdout)["succeeded"], json.loads(up.stdout)["failed"]) == (len(files), 0)
    down = cli(str(stale), "--endpoint", server.endpoint, "download", str(tmp_path / "out"), "--dataset", dataset,
               "--engine", "local", "--shard-size", "3")  # fmt: skip
    assert down.returncode == 0, down.stderr
    assert json.loads(down.stdout)["downloaded"] == len(files)
