"""The three distributions are versioned in lockstep (issue 16)."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from typing import Any

import vi_ext
from tools.generate import ROOT

DISTRIBUTIONS = ("vi-ext", "vi-ext-server", "vi-ext-compat")


def _project(name: str) -> dict[str, Any]:
    with (ROOT / "packages" / name / "pyproject.toml").open("rb") as f:
        project: dict[str, Any] = tomllib.load(f)["project"]
    return project


def test_the_three_pyprojects_agree_on_the_version() -> None:
    versions = {name: _project(name)["version"] for name in DISTRIBUTIONS}
    assert len(set(versions.values())) == 1, versions


def test_cross_pins_name_exactly_the_same_version() -> None:
    release = _project("vi-ext")["version"]
    assert _project("vi-ext-compat")["dependencies"] == [f"vi-ext=={release}"]
    assert _project("vi-ext")["optional-dependencies"]["server"] == [f"vi-ext-server=={release}"]


def test_installed_metadata_and_dunder_version_follow_the_pyproject() -> None:
    release = _project("vi-ext")["version"]
    assert vi_ext.__version__ == release
    assert {version(name) for name in DISTRIBUTIONS} == {release}


def test_the_sdk_does_not_depend_on_server_libraries() -> None:
    deps = " ".join(_project("vi-ext")["dependencies"]).lower()
    for heavy in ("pillow", "starlette", "uvicorn", "jsonschema", "pyyaml"):
        assert heavy not in deps
