"""Downloads never write outside ``save_dir``, even through links (issue 13.7)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client, ViDownloadError
from vi_ext.files import safe_relative


@pytest.fixture
def client(server: RunningServer) -> Iterator[Client]:
    with Client(config_file=server.data_dir / "credentials.json") as made:
        yield made


def uploaded(client: Client, tmp_path: Path) -> str:
    """A dataset holding ``top.png`` and ``sub/deep.png``."""
    ds = "dls-" + uuid.uuid4().hex[:8]
    client.datasets.create(ds, dataset_id=ds)
    folder = tmp_path / "src"
    write_image(folder / "top.png", seed=1)
    write_image(folder / "sub" / "deep.png", seed=2)
    result = client.assets.upload(ds, folder, show_progress=False)
    assert result.total_succeeded == 2
    return ds


def test_a_directory_symlink_inside_save_dir_is_not_followed(client: Client, tmp_path: Path) -> None:
    ds = uploaded(client, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    (out / ds).mkdir(parents=True)
    (out / ds / "sub").symlink_to(elsewhere, target_is_directory=True)
    result = client.assets.download(ds, out, show_progress=False)
    assert list(elsewhere.iterdir()) == []
    assert (result.downloaded, result.failed) == (1, 1)
    assert result.failures[0].filename == "sub/deep.png"
    assert result.failures[0].message.startswith("UNSAFE_PATH:")
    assert "symbolic link" in result.failures[0].message
    assert (out / ds / "top.png").is_file()


def test_a_symlinked_dataset_folder_is_refused(client: Client, tmp_path: Path) -> None:
    ds = uploaded(client, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / ds).symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ViDownloadError, match="symbolic link"):
        client.assets.download(ds, out, show_progress=False)
    assert list(elsewhere.iterdir()) == []


def test_a_file_symlink_is_replaced_not_written_through(client: Client, tmp_path: Path) -> None:
    ds = uploaded(client, tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "out"
    (out / ds).mkdir(parents=True)
    (out / ds / "top.png").symlink_to(victim)
    result = client.assets.download(ds, out, show_progress=False)
    assert (result.downloaded, result.failed) == (2, 0)
    assert victim.read_text() == "keep me"
    assert not (out / ds / "top.png").is_symlink()


def test_leftover_temp_files_of_an_interrupted_download_are_removed(client: Client, tmp_path: Path) -> None:
    ds = uploaded(client, tmp_path)
    out = tmp_path / "out"
    (out / ds / "sub").mkdir(parents=True)
    leftovers = [out / ds / ".vi-part-abc123_x", out / ds / "sub" / ".vi-part-x9yz0000"]
    for path in leftovers:
        path.write_bytes(b"half a file")
    kept = [out / ds / "notes.vi-part-keep", out / ds / ".vi-part-my-photo.jpg"]
    for path in kept:
        path.write_text("mine")
    result = client.assets.download(ds, out, show_progress=False)
    assert (result.downloaded, result.failed) == (2, 0)
    assert [p for p in leftovers if p.exists()] == []
    assert [path.read_text() for path in kept] == ["mine", "mine"]


def test_leftover_cleanup_does_not_follow_directory_links(client: Client, tmp_path: Path) -> None:
    ds = uploaded(client, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    foreign = elsewhere / ".vi-part-12345678"
    foreign.write_text("not ours")
    out = tmp_path / "out"
    (out / ds).mkdir(parents=True)
    os.symlink(elsewhere, out / ds / "linked", target_is_directory=True)
    client.assets.download(ds, out, show_progress=False)
    assert foreign.read_text() == "not ours"


@pytest.mark.parametrize(
    "name",
    ["CONIN$", "conout$.txt", "COM\u00b9.jpg", "com\u00b2", "LPT\u00b3.png", "lpt\u00b9", "COM0.jpg", "LPT0",
     "a/CON .png", "NUL.", "aux.tar.gz"],
)  # fmt: skip
def test_windows_reserved_names_are_refused(name: str) -> None:
    assert safe_relative(name) is None


@pytest.mark.parametrize("name", ["CONINX.jpg", "COM10.jpg", "COM\u2074.jpg", "console.png", "a/lpt.png"])
def test_names_that_only_look_reserved_are_kept(name: str) -> None:
    assert safe_relative(name) is not None
