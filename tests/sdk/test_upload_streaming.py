"""An upload streams its input: discovery is pulled lazily and memory stays flat in the number of files."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import upload_rss
from vi_ext.files import NameSet
from vi_ext.manifest import ManifestEntry
from vi_ext.upload import Uploader

ROOT = Path(__file__).resolve().parents[2]


def test_name_set_finds_every_repeat_and_nothing_else() -> None:
    names = NameSet()
    assert all(names.add(f"train/{i}.png") for i in range(70_000))  # past one merge into the sorted array
    assert not names.add("train/5.png")
    assert not names.add("train/69999.png")
    assert names.add("caf\udce9.png")
    assert not names.add("caf\udce9.png")


def test_the_first_session_is_created_before_the_manifest_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = 3_000
    for i in range(total):
        (tmp_path / f"{i}.png").write_bytes(b"\x89PNG")
    consumed = [0]
    at_first_session: list[int] = []

    def entries() -> Iterator[ManifestEntry]:
        for i in range(total):
            consumed[0] += 1
            yield ManifestEntry(tmp_path / f"{i}.png", f"{i}.png", 4)

    real = upload_rss.install_fakes(monkeypatch)

    def create_session(self: Uploader, dataset: str, files: list[Any], *rest: Any) -> Any:
        at_first_session.append(consumed[0])
        return real(self, dataset, files, *rest)

    monkeypatch.setattr(Uploader, "create_session", create_session)
    result = upload_rss.client().assets.upload(
        "data", manifest=entries(), failure_mode="FailAfterAll", show_progress=False, batch_size=500
    )
    assert (result.total_files, result.total_succeeded, result.total_failed) == (total, total, 0)
    assert at_first_session[0] < total // 2, at_first_session  # not loaded whole before sending


@pytest.mark.slow
def test_peak_memory_of_a_200_000_line_manifest_upload_stays_flat(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tests.helpers.upload_rss", "200000", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=900,
    )  # fmt: skip
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert (report["files"], report["succeeded"], report["failed"]) == (200_000, 200_000, 0)
    assert report["growth_mb"] < 60, report  # the whole-selection engine grew ~160 MB here
