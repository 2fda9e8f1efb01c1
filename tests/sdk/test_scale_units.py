"""Pure parts of issue 17: manifests as selections, dry-run results, failed manifests, merges, dealing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest

from tests.helpers.images import write_image
from vi_ext.distributed import downloads, uploads
from vi_ext.errors import ViValidationError
from vi_ext.failed_manifest import failed_entries
from vi_ext.files import discover, from_manifest
from vi_ext.manifest import ManifestEntry, read_manifest, write_manifest
from vi_ext.models import Asset
from vi_ext.resources import dry_run_result
from vi_ext.results import AssetDownloadResult, AssetUploadResult, DownloadFailure, FileFailure
from vi_ext.selection import FileFilter
from vi_ext.upload import batch_sizes


def test_from_manifest_checks_each_entry_against_the_disk(tmp_path: Path) -> None:
    ok = write_image(tmp_path / "ok.png", seed=1, size=(8, 8))
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("x")
    entries = [
        ManifestEntry(tmp_path / "ok.png", "a/ok.png", len(ok), custom_metadata={"k": "v"}),
        ManifestEntry(tmp_path / "missing.png", "a/missing.png", 3),
        ManifestEntry(tmp_path / "ok.png", "a/again.png", len(ok)),
        ManifestEntry(tmp_path / "empty.png", "a/empty.png", 0),
        ManifestEntry(tmp_path / "notes.txt", "a/notes.txt", 1),
        ManifestEntry(tmp_path / "ok.png", "../escape.png", len(ok)),
    ]
    selection = from_manifest(entries[:2] + entries[2:], 1 << 20, "p/")
    assert [(f.filename, f.custom_metadata) for f in selection.files] == [("p/a/ok.png", {"k": "v"})]
    assert [(r.filename, r.code) for r in selection.rejected] == [
        ("p/a/missing.png", "FILE_MISSING"), ("p/a/empty.png", "EMPTY_FILE"), ("p/a/notes.txt", "UNSUPPORTED_EXTENSION"),
    ]  # fmt: skip
    assert [s.local for s in selection.skipped] == [str(tmp_path / "ok.png"), str(tmp_path / "ok.png")]
    assert len(selection.order) == 4  # one outcome per local path


def test_from_manifest_flags_a_size_change_and_refuses_an_empty_manifest(tmp_path: Path) -> None:
    data = write_image(tmp_path / "x.png", seed=2, size=(8, 8))
    changed = from_manifest([ManifestEntry(tmp_path / "x.png", "x.png", len(data) + 5)], 1 << 20)
    assert [r.code for r in changed.rejected] == ["FILE_CHANGED"]
    with pytest.raises(ViValidationError, match="no files"):
        from_manifest([], 1 << 20)


def test_discover_lists_every_file_left_out_with_its_reason(tmp_path: Path) -> None:
    for name in ["keep/a.png", "keep/b.jpg", ".git/objects/c.png", ".cache/d.png", "._e.png"]:
        write_image(tmp_path / name, seed=1, size=(8, 8))
    selection = discover(tmp_path, 1 << 20, "", FileFilter.build(exclude=["*.jpg"]))
    assert [f.filename for f in selection.files] == ["keep/a.png"]
    assert {Path(s.local).relative_to(tmp_path).as_posix(): s.reason for s in selection.skipped} == {
        ".cache": "hidden or system folder (default exclude)",
        ".git": "hidden or system folder (default exclude)",
        "._e.png": "hidden or system file (default exclude)",
        "keep/b.jpg": "matches --exclude '*.jpg'",
    }
    with pytest.raises(ViValidationError, match=r"no image files found .*matches --exclude"):
        discover(tmp_path / "keep", 1 << 20, "", FileFilter.build(exclude=["*"]))


def test_dry_run_result_counts_what_would_happen(tmp_path: Path) -> None:
    for name in ["a.png", "b.png"]:
        write_image(tmp_path / name, seed=3, size=(8, 8))
    (tmp_path / "z.png").write_bytes(b"")
    result = dry_run_result(discover(tmp_path, 1 << 20), {str(tmp_path / "a.png")})
    assert result.dry_run
    assert result.would_upload == [str(tmp_path / "b.png")]
    assert result.existing_files == [str(tmp_path / "a.png")]
    assert [f.code for f in result.failures] == ["EMPTY_FILE"]
    assert (result.total_files, result.total_succeeded, result.total_processing) == (3, 1, 1)


def test_failed_entries_keep_the_source_manifest_metadata_and_current_size(tmp_path: Path) -> None:
    data = write_image(tmp_path / "a.png", seed=4, size=(8, 8))
    source = tmp_path / "in.jsonl"
    write_manifest(source, [ManifestEntry(tmp_path / "a.png", "a.png", len(data), 7, {"k": 1})])
    local = str(next(read_manifest(source)).path)
    result = AssetUploadResult([], 2, 0, [FileFailure(local, "p/a.png", "NOT_SENT", "x"),
                                          FileFailure(str(tmp_path / "gone.png"), "gone.png", "FILE_MISSING", "y")])  # fmt: skip
    entries = list(failed_entries(result, source))
    assert [(e.filename, e.size, e.crc32c, e.custom_metadata) for e in entries] == [
        ("p/a.png", len(data), 7, {"k": 1}), ("gone.png", 0, None, None),
    ]  # fmt: skip


def test_upload_merge_adds_counts_and_ledger_records() -> None:
    one = AssetUploadResult([], 3, 2, [FileFailure("x", "x", "ECORRUPT", "")], bytes_sent=10)
    two = AssetUploadResult([], 2, 2, [], skipped_files=["s"], skip_reasons={"s": "r"}, bytes_sent=5)
    merged = uploads.merge([one, two], [{"total_files": 4, "succeeded": 4}])
    assert (merged.total_files, merged.total_succeeded, merged.total_failed, merged.bytes_sent) == (9, 8, 1, 15)
    assert (merged.skip_reasons, merged.cause) == ({"s": "r"}, one.failures[0])


def test_download_deal_is_disjoint_and_complete_and_merge_adds_up(tmp_path: Path) -> None:
    assets = [_asset(f"f{i}.png") for i in range(50)]
    shards = downloads.deal(assets, 10)
    dealt = [a.filename for _, items in shards for a in items]
    assert sorted(dealt) == sorted(a.filename for a in assets)
    assert len(set(dealt)) == 50
    assert all(len(items) <= 10 for _, items in shards)
    assert downloads.deal(assets, 10) == shards  # deterministic
    parts = [AssetDownloadResult("d", tmp_path, 3, 2, 0, 1, [DownloadFailure("a", "f", "m")]),
             AssetDownloadResult("d", tmp_path, 2, 1, 1, 0, [])]  # fmt: skip
    merged = downloads.merge("d", tmp_path, parts)
    assert (merged.count, merged.downloaded, merged.skipped, merged.failed) == (5, 3, 1, 1)


@dataclass(frozen=True)
class _FakeAsset:
    """What dealing reads of an asset."""

    filename: str


def _asset(filename: str) -> Asset:
    return cast(Asset, _FakeAsset(filename))


def test_worker_client_options_never_carry_credentials(tmp_path: Path) -> None:
    with pytest.raises(ViValidationError, match="secret_key"):
        uploads.upload("ds", tmp_path, engine="local", client_options={"secret_key": "k"})
    with pytest.raises(ViValidationError, match=r"set by distributed\.upload"):
        uploads.upload("ds", tmp_path, engine="local", skip_existing=False)


def test_batches_start_small_so_the_first_put_is_quick() -> None:
    assert batch_sizes(10_000, 100_000)[:7] == [250, 500, 1000, 2000, 4000, 8000, 10_000]
    assert sum(batch_sizes(10_000, 100_000)) >= 100_000
    assert max(batch_sizes(10_000, 100_000)) == 10_000
    assert batch_sizes(2, 5) == [2, 2, 2]
    assert batch_sizes(10_000, 0) == []
