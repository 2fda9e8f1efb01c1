"""Folder names, overwrites and bad local input (issue 13 items 3 and 6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client, ViValidationError, overwrites
from vi_ext.custom_metadata import metadata_problem
from vi_ext.files import normalize_prefix

VI_EXT = str(Path(sys.executable).parent / "vi-ext")


@pytest.fixture
def client(server: RunningServer) -> Client:
    return Client(config_file=server.data_dir / "credentials.json")


def new_dataset(client: Client) -> str:
    dataset = "input-" + uuid.uuid4().hex[:8]
    client.datasets.create(dataset, dataset_id=dataset)
    return dataset


def names(client: Client, dataset: str) -> list[str]:
    return sorted(a.filename for a in client.assets.list(dataset).all_items())


# ------------------------------------------------------------------ prefix and overwrites
@pytest.mark.parametrize(
    ("given", "expected"),
    [(None, ""), ("", ""), ("train/cat/", "train/cat/"), ("train/cat", "train/cat/"), ("x", "x/")],
)
def test_prefix_normalised(given: str | None, expected: str) -> None:
    assert normalize_prefix(given) == expected


@pytest.mark.parametrize("bad", ["/abs/", "a/../b", "..", "a//b", "./a", "a\\b", "a\x00b", "caf\udce9/"])
def test_bad_prefixes_are_refused_with_a_typed_error(bad: str) -> None:
    with pytest.raises(ViValidationError, match="invalid prefix"):
        normalize_prefix(bad)


def test_prefix_and_overwritten_files(client: Client, tmp_path: Path) -> None:
    cat, dog = tmp_path / "cat", tmp_path / "dog"
    for name in ("001.jpg", "002.jpg", "003.jpg"):
        write_image(cat / name, seed=1)
    for name in ("001.jpg", "002.jpg", "004.jpg"):
        write_image(dog / name, seed=2)
    dataset = new_dataset(client)

    first = client.assets.upload(dataset, cat, prefix="train/cat/", show_progress=False)
    assert first.overwritten_files == []
    second = client.assets.upload(dataset, dog, prefix="train/dog", show_progress=False)
    assert second.overwritten_files == []  # other folder, nothing replaced
    assert names(client, dataset) == [
        "train/cat/001.jpg", "train/cat/002.jpg", "train/cat/003.jpg",
        "train/dog/001.jpg", "train/dog/002.jpg", "train/dog/004.jpg",
    ]  # fmt: skip

    again = client.assets.upload(dataset, dog, prefix="train/cat/", show_progress=False)  # the mistake
    assert again.overwritten_files == [str(dog / "001.jpg"), str(dog / "002.jpg")]
    assert "Replaced (asset filename already in the dataset): 2 file(s)" in again.summary()
    assert again.total_succeeded == 3

    with pytest.raises(ViValidationError, match="invalid prefix"):
        client.assets.upload(dataset, dog, prefix="../up", show_progress=False)


def test_existing_names_by_exact_name_queries(client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The by-name plan (big datasets) asks the server for exact names, never substrings."""
    for name in ("a.jpg", "ab.jpg", "b.jpg"):
        write_image(tmp_path / name, seed=3)
    dataset = new_dataset(client)
    client.assets.upload(dataset, tmp_path, show_progress=False)
    monkeypatch.setattr(overwrites, "plan", lambda total, n: "query")
    monkeypatch.setattr(overwrites, "NAMES_PER_QUERY", 2)
    found = overwrites.existing_names(client._api, f"{client.organization_id}_{dataset}", ["a.jpg", "b.jpg", "c.jpg"])
    assert found == {"a.jpg", "b.jpg"}


def test_the_cheapest_name_check_is_planned() -> None:
    assert overwrites.plan(0, 5000) == "none"
    assert overwrites.plan(10, 0) == "none"
    assert overwrites.plan(900, 3) == "list"  # one page of listing
    assert overwrites.plan(1_000_000, 60) == "query"  # two queries instead of a thousand pages
    assert overwrites.plan(None, 3) == "query"
    chunks = list(overwrites.name_chunks([f"{i:03d}.jpg" for i in range(120)]))
    assert [len(c) for c in chunks] == [50, 50, 20]
    assert all(len(json.dumps(c)) <= overwrites.QUERY_CHARS + 10 for c in overwrites.name_chunks(["x" * 900] * 10))


def test_cli_prefix_and_replaced_count(server: RunningServer, client: Client, tmp_path: Path) -> None:
    for name in ("1.jpg", "2.jpg"):
        write_image(tmp_path / "p" / name, seed=4)
    dataset = new_dataset(client)
    base = [VI_EXT, "--config-file", str(server.data_dir / "credentials.json")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATATURE_")}
    up = [str(tmp_path / "p"), "--dataset", dataset, "--prefix", "val/"]
    first = subprocess.run([*base, "--json", "upload", *up], capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["replaced"] == 0
    human = subprocess.run([*base, "upload", *up], capture_output=True, text=True, env=env, check=False)
    assert human.returncode == 0, human.stderr
    assert "2 replaced" in human.stdout
    assert names(client, dataset) == ["val/1.jpg", "val/2.jpg"]
    bad = subprocess.run([*base, "upload", *up[:-1], "/x"], capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 2
    assert "invalid prefix" in bad.stderr
    assert "Traceback" not in bad.stderr


# ------------------------------------------------------------------ bad local input
def test_a_file_name_that_is_not_utf8_is_a_per_file_failure(client: Client, tmp_path: Path) -> None:
    folder = tmp_path / "names"
    write_image(folder / "good.jpg", seed=5)
    raw = os.fsencode(folder) + b"/caf\xe9.png"
    with open(raw, "wb") as handle:
        handle.write((folder / "good.jpg").read_bytes())
    dataset = new_dataset(client)
    for mode in ("FailAfterAll", "FailAfterOne"):
        result = client.assets.upload(dataset, folder, failure_mode=mode, show_progress=False)
        assert [(f.path, f.code) for f in result.failures] == [(os.fsdecode(raw), "INVALID_FILENAME")]
        assert result.total_succeeded == 1
        assert "caf\\xe9.png" in result.summary()
        assert "the file name 'caf\\xe9.png' is not valid UTF-8" in result.failures[0].message  # escaped once
        result.summary().encode("utf-8")  # printable: no lone surrogates
    assert names(client, dataset) == ["good.jpg"]


@pytest.mark.parametrize(
    ("metadata", "why"),
    [({"scene": ["a"]}, "must be str, int, float or bool, not list"), ({"scene": None}, "not NoneType"),
     ({"scene": {"x": 1}}, "not dict"), ({"scene": "caf\udce9"}, "not valid UTF-8"), ({1: "x"}, "must be a str"),
     ({"n": float("nan")}, "finite")],
)  # fmt: skip
def test_bad_custom_metadata_is_refused_before_anything_is_sent(
    client: Client, tmp_path: Path, metadata: dict[object, object], why: str
) -> None:
    write_image(tmp_path / "a.jpg", seed=6)
    write_image(tmp_path / "b.jpg", seed=7)
    dataset = new_dataset(client)
    with pytest.raises(ViValidationError, match="custom_metadata for ") as caught:
        client.assets.upload(
            dataset, tmp_path, show_progress=False,
            custom_metadata=lambda path: metadata if path.endswith("b.jpg") else {"ok": 1},  # type: ignore[return-value,arg-type]
        )  # fmt: skip
    assert str(tmp_path / "b.jpg") in caught.value.message
    assert why in caught.value.message
    assert "spec/" not in caught.value.message
    assert names(client, dataset) == []


def test_metadata_problem_accepts_the_four_types() -> None:
    assert metadata_problem({"s": "x", "i": 1, "f": 1.5, "b": True}) is None
    assert metadata_problem(None) is None
    assert metadata_problem([("a", 1)]) == "must be a dict, not list"


def test_paths_may_be_any_iterable(client: Client, tmp_path: Path) -> None:
    for name in ("x/1.jpg", "y/2.png", "y/3.txt"):
        write_image(tmp_path / name, seed=8) if not name.endswith(".txt") else (tmp_path / name).write_text("t")
    dataset = new_dataset(client)
    result = client.assets.upload(dataset, tmp_path.rglob("*.*g"), show_progress=False)  # a generator
    assert result.total_succeeded == 2
    assert names(client, dataset) == ["1.jpg", "2.png"]
    with pytest.raises(ViValidationError, match="iterable of paths"):
        client.assets.upload(dataset, 42, show_progress=False)  # type: ignore[arg-type]
    with pytest.raises(ViValidationError, match=r"str or os\.PathLike"):
        client.assets.upload(dataset, [tmp_path / "x" / "1.jpg", 3], show_progress=False)  # type: ignore[list-item]
