"""JSON Lines manifests: round trip, streaming, and a clear error naming the line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from vi_ext.manifest import ManifestEntry, ManifestError, read_manifest, write_manifest


def test_round_trip_keeps_every_field_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    entries = [
        ManifestEntry(tmp_path / "img" / "a.png", "train/a.png", 10, 123, {"label": "cat", "n": 1, "ok": True}),
        ManifestEntry(tmp_path / "img" / "ü b.jpg", "train/ü b.jpg", 0),
        ManifestEntry(Path("/elsewhere/c.png"), "c.png", 5, 0xFFFFFFFF),
    ]
    target = tmp_path / "m.jsonl"
    assert write_manifest(target, iter(entries)) == 3
    text = target.read_text(encoding="utf-8")
    assert '"path":"img/a.png"' in text  # inside the manifest's folder: relative
    assert '"path":"/elsewhere/c.png"' in text
    back = list(read_manifest(target))
    assert back == entries
    assert back[0].custom_metadata == {"label": "cat", "n": 1, "ok": True}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_name_that_is_not_utf8_survives_and_the_file_stays_utf8(tmp_path: Path) -> None:
    odd = Path(os.fsdecode(b"caf\xe9.png"))
    target = tmp_path / "m.jsonl"
    write_manifest(target, [ManifestEntry(tmp_path / odd, "cafe.png", 3)])
    target.read_bytes().decode("utf-8")  # strict: no raw 0xE9 byte
    (entry,) = read_manifest(target)
    assert os.fsencode(entry.path.name) == b"caf\xe9.png"


def test_reading_streams(tmp_path: Path) -> None:
    target = tmp_path / "m.jsonl"
    target.write_text('{"path":"a.png","filename":"a.png","size":1}\n{broken\n', encoding="utf-8")
    entries = read_manifest(target)
    assert next(entries).filename == "a.png"  # the first line is usable before the bad one is read
    with pytest.raises(ManifestError, match=r"m\.jsonl:2: not valid JSON"):
        next(entries)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[1, 2]", "must be a JSON object"),
        ('{"filename": "a.png", "size": 1}', "'path' must be a non-empty string"),
        ('{"path": "a.png", "size": 1}', "'filename' must be a non-empty string"),
        ('{"path": "a.png", "filename": "a.png", "size": -1}', "'size' must be a whole number"),
        ('{"path": "a.png", "filename": "a.png", "size": true}', "'size' must be a whole number"),
        ('{"path": "a.png", "filename": "a.png", "size": 1, "crc32c": 4294967296}', "unsigned 32-bit"),
        ('{"path": "a.png", "filename": "a.png", "size": 1, "custom_metadata": {"k": [1]}}', "custom_metadata"),
        ('{"path": "a.png", "filename": "a.png", "size": 1, "custom_metadata": {"k": NaN}}', "finite"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    target = tmp_path / "m.jsonl"
    target.write_text("\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=message) as info:
        list(read_manifest(target))
    assert f"{target}:2:" in str(info.value)


def test_missing_or_binary_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read manifest"):
        list(read_manifest(tmp_path / "nope.jsonl"))
    binary = tmp_path / "b.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ManifestError, match="not UTF-8"):
        list(read_manifest(binary))


def test_a_failed_write_leaves_no_partial_manifest(tmp_path: Path) -> None:
    target = tmp_path / "m.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def entries() -> Iterator[ManifestEntry]:
        yield ManifestEntry(tmp_path / "a.png", "a.png", 1)
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_manifest(target, entries())
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["m.jsonl"]
