"""Include/exclude globs and the default excludes, as the README documents them."""

from __future__ import annotations

import pytest

from vi_ext.errors import ViValidationError
from vi_ext.selection import FileFilter, glob_regex, is_default_excluded


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.png", "a.png", True),
        ("*.png", "train/cat/a.png", True),  # no '/': base name at any depth
        ("*.png", "a.jpg", False),
        ("*.PNG", "a.png", False),  # case-sensitive, like rclone and aws-cli
        ("train/*.jpg", "train/a.jpg", True),
        ("train/*.jpg", "train/cat/a.jpg", False),  # '*' stays inside one segment
        ("train/**/*.jpg", "train/a.jpg", True),  # '**/' may span zero segments
        ("train/**/*.jpg", "train/cat/x/a.jpg", True),
        ("train/**", "train/cat/a.jpg", True),
        ("train/**", "val/a.jpg", False),
        ("img_?.png", "img_1.png", True),
        ("img_?.png", "img_10.png", False),
        ("img_[0-4].png", "img_3.png", True),
        ("img_[!0-4].png", "img_7.png", True),
        ("img_[!0-4].png", "img_3.png", False),
        ("a+b(1).png", "a+b(1).png", True),  # regex metacharacters are literal
        ("[unclosed.png", "[unclosed.png", True),
        ("cat/*", "dog/cat/a.png", False),  # a pattern with '/' is anchored at the folder
    ],
)
def test_glob_rules(pattern: str, path: str, expected: bool) -> None:
    assert bool(glob_regex(pattern).fullmatch(path)) is expected


@pytest.mark.parametrize("pattern", ["", "/abs/*.png"])
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ViValidationError, match="bad glob"):
        FileFilter.build(include=[pattern])


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        (".hidden.png", True),
        (".git/objects/a.png", True),
        ("train/.cache/a.png", True),
        ("__MACOSX/train/a.png", True),
        ("train/._a.png", True),  # AppleDouble
        ("train/a.png", False),
        ("train/a..png", False),
    ],
)
def test_default_excludes(path: str, excluded: bool) -> None:
    assert is_default_excluded(path) is excluded
    assert FileFilter.build().allows(path) is not excluded
    assert FileFilter.build(default_excludes=False).allows(path) is True


def test_exclude_wins_over_include_and_reasons_are_given() -> None:
    rules = FileFilter.build(include=["*.png", "*.jpg"], exclude="train/bad/**")
    assert rules.allows("train/ok/a.png")
    assert not rules.allows("train/bad/a.png")
    assert not rules.allows("train/ok/a.gif")
    assert rules.why_not("train/ok/a.png") is None
    assert rules.why_not("train/bad/a.png") == "matches --exclude 'train/bad/**'"
    assert rules.why_not("train/ok/a.gif") == "matches no --include pattern"
    assert rules.why_not(".DS_Store") == "hidden or system file (default exclude)"


def test_patterns_must_be_strings() -> None:
    with pytest.raises(ViValidationError, match="must be strings"):
        FileFilter.build(include=[b"*.png"])  # type: ignore[list-item]
