"""Selecting files, dry runs and manifests against the reference server (issue 17, items 1, 2 and 6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import google_crc32c

from tests.helpers.images import truncated_jpeg, write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client
from vi_ext.manifest import ManifestEntry, read_manifest, write_manifest

VI_EXT = str(Path(sys.executable).parent / "vi-ext")


def cli(server: RunningServer, *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DATATURE_")}
    creds = str(server.data_dir / "credentials.json")
    return subprocess.run([VI_EXT, "--config-file", creds, "--json", *args], capture_output=True, text=True,
                          env=base, timeout=300, check=False)  # fmt: skip


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(done.stdout)


def new_dataset(client: Client, stem: str) -> str:
    dataset = f"{stem}-{uuid.uuid4().hex[:8]}"
    client.datasets.create(dataset, dataset_id=dataset)
    return dataset


def names(client: Client, dataset: str) -> set[str]:
    return {a.filename for a in client.assets.list(dataset).all_items()}


def test_include_exclude_and_default_excludes_are_reported_with_reasons(server: RunningServer, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i, name in enumerate(
        ["a/1.png", "a/2.jpg", "raw/3.png", ".git/x.png", "__MACOSX/y.png", ".hid.png", "._4.png"]
    ):
        write_image(src / name, seed=i, size=(8, 8))
    (src / "notes.txt").write_text("x")
    with Client(config_file=server.data_dir / "credentials.json") as client:
        dataset = new_dataset(client, "sel")
        result = client.assets.upload(dataset, src, include=["*.png", "*.txt"], exclude="raw/**", show_progress=False)
        assert (result.total_files, result.total_succeeded) == (1, 1), result.summary()
        assert names(client, dataset) == {"a/1.png"}
    reasons = {Path(p).relative_to(src).as_posix(): r for p, r in result.skip_reasons.items()}
    assert sorted(result.skipped_files) == sorted(str(src / p) for p in reasons)
    assert reasons == {
        ".git": "hidden or system folder (default exclude)",  # a pruned folder is one entry
        "__MACOSX": "hidden or system folder (default exclude)",
        ".hid.png": "hidden or system file (default exclude)",
        "._4.png": "hidden or system file (default exclude)",
        "a/2.jpg": "matches no --include pattern",
        "raw/3.png": "matches --exclude 'raw/**'",
        "notes.txt": "unsupported extension '.txt'",
    }


def test_dry_run_sends_nothing_and_reports_what_would_happen(server: RunningServer, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(4):
        write_image(src / f"{i}.png", seed=i, size=(8, 8))
    (src / "empty.png").write_bytes(b"")
    (src / ".DS_Store").write_bytes(b"junk")
    with Client(config_file=server.data_dir / "credentials.json") as client:
        dataset = new_dataset(client, "dry")
        dry = client.assets.upload(dataset, src, dry_run=True, show_progress=False)
        assert dry.dry_run
        assert dry.sessions == []
        assert dry.bytes_sent == 0
        assert dry.would_upload == [str(src / f"{i}.png") for i in range(4)]
        assert [(f.path, f.code) for f in dry.failures] == [(str(src / "empty.png"), "EMPTY_FILE")]
        assert dry.skipped_files == [str(src / ".DS_Store")]
        assert "Dry run (nothing sent): 4 would be uploaded, 0 already in the dataset, 1 skipped, 1 rejected" in (
            dry.summary()
        )
        assert client.datasets.get(dataset).statistic.asset_total == 0
        assert list(client.assets.list_sessions(dataset).all_items()) == []

        client.assets.upload(dataset, src / "0.png", show_progress=False)
        again = client.assets.upload(dataset, src, dry_run=True, skip_existing=True, show_progress=False)
        assert again.existing_files == [str(src / "0.png")]
        assert again.would_upload == [str(src / f"{i}.png") for i in range(1, 4)]
        assert len(list(client.assets.list_sessions(dataset).all_items())) == 1  # only the real upload's

        fetch = client.assets.download(dataset, tmp_path / "out", dry_run=True, show_progress=False)
        assert (fetch.dry_run, fetch.would_fetch, fetch.downloaded) == (True, ["0.png"], 0)
        assert not (tmp_path / "out").exists()


def test_manifest_upload_has_per_file_failures_and_per_entry_metadata(server: RunningServer, tmp_path: Path) -> None:
    src = tmp_path / "src"
    data = {f"{i}.jpg": write_image(src / f"{i}.jpg", seed=i) for i in range(5)}
    changed = write_image(src / "changed.jpg", seed=9)
    entries = [ManifestEntry(src / n, f"m/{n}", len(d), custom_metadata={"i": int(n[0])}) for n, d in data.items()]
    entries += [
        ManifestEntry(src / "gone.jpg", "m/gone.jpg", 10),
        ManifestEntry(src / "changed.jpg", "m/changed.jpg", len(changed) + 1),  # size no longer matches
        ManifestEntry(src / "0.jpg", "m/crc.jpg", len(data["0.jpg"]), crc32c=1),  # path listed again: skipped
    ]
    crc_file = src / "crc.jpg"
    crc_file.write_bytes(data["1.jpg"])
    entries.append(ManifestEntry(crc_file, "m/crc.jpg", len(data["1.jpg"]), crc32c=google_crc32c.value(b"x")))
    manifest = tmp_path / "files.jsonl"
    write_manifest(manifest, entries)
    with Client(config_file=server.data_dir / "credentials.json") as client:
        dataset = new_dataset(client, "man")
        result = client.assets.upload(
            dataset, manifest=manifest, failure_mode="FailAfterAll", custom_metadata={"i": -1}, show_progress=False
        )
        assert (result.total_files, result.total_succeeded) == (8, 5), result.summary()
        assert {(f.filename, f.code) for f in result.failures} == {
            ("m/gone.jpg", "FILE_MISSING"), ("m/changed.jpg", "FILE_CHANGED"), ("m/crc.jpg", "FILE_CHANGED"),
        }  # fmt: skip
        assert result.skipped_files == [str(src / "0.jpg")]
        metadata = {a.filename: a.metadata.custom_metadata for a in client.assets.list(dataset).all_items()}
        assert metadata == {f"m/{i}.jpg": {"i": i} for i in range(5)}


def test_download_include_and_filter_fetch_a_subset(server: RunningServer, tmp_path: Path) -> None:
    for i in range(6):
        write_image(tmp_path / "src" / ["cat", "dog"][i % 2] / f"{i}.png", seed=i, size=(8, 8))
    with Client(config_file=server.data_dir / "credentials.json") as client:
        dataset = new_dataset(client, "dli")
        client.assets.upload(dataset, tmp_path / "src", show_progress=False)
        got = client.assets.download(dataset, tmp_path / "out", include="cat/*", exclude="*4.png", show_progress=False)
    assert (got.count, got.downloaded, got.failed) == (2, 2, 0)
    assert sorted(p.name for p in (tmp_path / "out" / dataset / "cat").iterdir()) == ["0.png", "2.png"]
    assert not (tmp_path / "out" / dataset / "dog").exists()


def test_cli_failed_manifest_round_trip_and_dry_runs(server: RunningServer, tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "0-broken.jpg").parent.mkdir(parents=True)
    (src / "0-broken.jpg").write_bytes(truncated_jpeg())
    good = {f"{i}.jpg": write_image(src / f"{i}.jpg", seed=i) for i in range(1, 7)}
    with Client(config_file=server.data_dir / "credentials.json") as client:
        dataset = new_dataset(client, "fm")
    dry = cli(server, "upload", str(src), "--dataset", dataset, "--dry-run", "--include", "*.jpg", "--exclude", "6.jpg")
    assert dry.returncode == 0, dry.stderr
    assert len(as_json(dry)["would_upload"]) == 6
    plan = tmp_path / "plan.jsonl"
    planned = cli(server, "upload", str(src), "--dataset", dataset, "--dry-run", "--include", "*.jpg",
                  "--write-manifest", str(plan))  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    assert as_json(planned)["manifest"] == {"path": str(plan), "entries": 7}
    assert sorted(e.filename for e in read_manifest(plan)) == sorted(["0-broken.jpg", *good])
    assert {e.filename: e.size for e in read_manifest(plan)}["1.jpg"] == len(good["1.jpg"])
    assert as_json(dry)["dry_run"]

    failed = tmp_path / "failed.jsonl"
    first = cli(server, "upload", str(src), "--dataset", dataset, "--failure-mode", "FailAfterOne",
                "--batch-size", "2", "--failed-manifest", str(failed))  # fmt: skip
    assert first.returncode == 1, first.stderr
    out = as_json(first)
    assert out["failed"] > 1
    assert out["failed_manifest"] == {"path": str(failed), "entries": out["failed"]}
    assert {e.filename for e in read_manifest(failed)} == {f["filename"] for f in out["failures"]}
    assert "0-broken.jpg" in {e.filename for e in read_manifest(failed)}

    failed2 = tmp_path / "failed2.jsonl"
    second = cli(server, "upload", "--manifest", str(failed), "--dataset", dataset, "--failed-manifest", str(failed2))
    assert second.returncode == 1, second.stderr
    assert [e.filename for e in read_manifest(failed2)] == ["0-broken.jpg"]
    with Client(config_file=server.data_dir / "credentials.json") as client:
        assert names(client, dataset) == set(good)

    fetch = cli(server, "download", str(tmp_path / "out"), "--dataset", dataset, "--dry-run", "--include", "[12].jpg")
    assert fetch.returncode == 0, fetch.stderr
    assert sorted(as_json(fetch)["would_fetch"]) == ["1.jpg", "2.jpg"]
    only = cli(server, "download", str(tmp_path / "out"), "--dataset", dataset, "--filter", '{"filename": "3"}')
    assert only.returncode == 0, only.stderr
    assert sorted(p.name for p in (tmp_path / "out" / dataset).iterdir()) == ["3.jpg"]
    both = cli(server, "upload", str(src), "--manifest", str(failed), "--dataset", dataset)
    assert both.returncode == 2
    assert "--manifest" in both.stderr
