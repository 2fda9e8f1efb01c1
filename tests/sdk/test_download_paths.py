"""`prepare_parent` with the per-download set of folders already created and checked."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from vi_ext.download_paths import prepare_parent
from vi_ext.errors import UnsafePathError


def test_a_folder_is_checked_once_per_download(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ready: set[PurePosixPath] = set()
    assert prepare_parent(tmp_path, PurePosixPath("a/b/1.jpg"), ready) == tmp_path / "a" / "b" / "1.jpg"
    assert (tmp_path / "a" / "b").is_dir()
    assert ready == {PurePosixPath("a/b")}
    made: list[Path] = []
    monkeypatch.setattr(Path, "mkdir", lambda self, *a, **k: made.append(self))
    assert prepare_parent(tmp_path, PurePosixPath("a/b/2.jpg"), ready) == tmp_path / "a" / "b" / "2.jpg"
    assert made == []  # nothing checked or created again
    prepare_parent(tmp_path, PurePosixPath("a/c/3.jpg"), ready)
    assert made == [tmp_path / "a", tmp_path / "a" / "c"]  # a new folder is checked all the way


def test_a_link_is_refused_and_never_remembered(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(elsewhere, root / "sub")
    ready: set[PurePosixPath] = set()
    for _ in range(2):
        with pytest.raises(UnsafePathError, match="symbolic link"):
            prepare_parent(root, PurePosixPath("sub/x.jpg"), ready)
    assert ready == set()
    assert list(elsewhere.iterdir()) == []


def test_without_the_set_every_file_is_checked(tmp_path: Path) -> None:
    prepare_parent(tmp_path, PurePosixPath("a/1.jpg"))
    (tmp_path / "a").rmdir()
    (tmp_path / "a").write_text("not a folder")
    with pytest.raises(UnsafePathError, match="not a folder"):
        prepare_parent(tmp_path, PurePosixPath("a/2.jpg"))
