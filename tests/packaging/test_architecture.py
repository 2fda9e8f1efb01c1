"""Imports point one way (issue 16): vi -> vi_ext; vi_server alone; no import cycle inside a package.

The source trees are parsed with ``ast``; nothing is imported. Imports under ``if TYPE_CHECKING:``
never run and are not dependencies here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.import_graph import cycles, graph, offenders, top_level_imports
from tools.generate import ROOT

SOURCES = {
    "vi_ext": ROOT / "packages" / "vi-ext" / "src",
    "vi_server": ROOT / "packages" / "vi-ext-server" / "src",
    "vi": ROOT / "packages" / "vi-ext-compat" / "src",
}
# What each package may NOT import (top-level names).
FORBIDDEN = {
    "vi_ext": {"vi_server", "vi", "PIL", "starlette", "uvicorn", "jsonschema", "yaml", "pillow_heif", "pillow_avif"},
    "vi_server": {"vi_ext", "vi"},
    "vi": {"vi_server"},
}


@pytest.mark.parametrize("package", sorted(SOURCES))
def test_package_imports_only_what_its_distribution_allows(package: str) -> None:
    imports = top_level_imports(SOURCES[package], package)
    assert len(imports) > 1  # the tree was found and read
    assert offenders(imports, FORBIDDEN[package]) == {}


@pytest.mark.parametrize("package", sorted(SOURCES))
def test_no_import_cycle_inside_a_package(package: str) -> None:
    edges = graph(SOURCES[package], package)
    assert len(edges) > 1  # the tree was found and read
    assert cycles(edges) == []


def test_the_generated_client_is_imported_only_inside_vi_ext() -> None:
    for package in ("vi_server", "vi"):
        edges = graph(SOURCES[package], package)
        assert not [m for targets in edges.values() for m in targets if "_generated" in m]
    compat = top_level_imports(SOURCES["vi"], "vi")
    assert all(names <= {"vi", "vi_ext", "__future__", "importlib", "warnings", "typing"} for names in compat.values())


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_cycle_through_a_half_initialised_package_is_found(tmp_path: Path) -> None:
    # the old shape: pkg/__init__ imports client, client imports api, api reads pkg.__version__
    root = _tree(tmp_path, {
        "__init__.py": "__version__ = '1'\nfrom pkg.client import Client\n",
        "client.py": "from pkg.api import ApiClient\nClient = ApiClient\n",
        "api.py": "from pkg import __version__\nclass ApiClient: ...\n",
    })  # fmt: skip
    assert cycles(graph(root, "pkg")) == [["pkg", "pkg.api", "pkg.client"]]


def test_a_cycle_between_two_modules_is_found_also_relative_and_lazy(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "__init__.py": "",
        "cli.py": "def main():\n    from . import commands\n",
        "commands.py": "from pkg.cli import main\n",
        "types_only.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.cli import main\n",
    })  # fmt: skip
    assert cycles(graph(root, "pkg")) == [["pkg.cli", "pkg.commands"]]


def test_submodule_import_from_the_package_is_not_a_cycle(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "__init__.py": "from pkg.client import Client\n",
        "client.py": "from pkg import convert\nclass Client: ...\n",
        "convert.py": "X = 1\n",
    })  # fmt: skip
    assert graph(root, "pkg")["pkg.client"] == {"pkg.convert"}
    assert cycles(graph(root, "pkg")) == []


def test_forbidden_imports_are_named(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"__init__.py": "", "serve.py": "def run():\n    import vi_server.serve\n"})
    assert offenders(top_level_imports(root, "pkg"), {"vi_server"}) == {"pkg.serve": {"vi_server"}}
