"""The vi-ext wheel stands alone (issue 16): in a clean venv it imports and runs without the server's libraries.

Offline and quick: the three wheels are built like ``make dist``; the vi-ext wheel is installed
with pip into a fresh venv, and its declared dependencies (the closure of its Requires-Dist) are
copied there from this environment's installed distributions, so nothing undeclared can leak in.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tools.generate import ROOT

PACKAGES = ("vi-ext", "vi-ext-server", "vi-ext-compat")
ABSENT = ("PIL", "starlette", "uvicorn", "vi_server", "vi", "yaml", "jsonschema")


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    for name in PACKAGES:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--no-build-isolation", "-w", str(out), str(ROOT / "packages" / name)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    found: dict[str, Path] = {canonicalize_name(p.name.split("-")[0]): p for p in out.glob("*.whl")}
    assert set(found) == set(PACKAGES)
    return found


def dependency_closure(requirements: list[str]) -> list[str]:
    """The installed distributions (of this environment) that ``requirements`` need, transitively."""
    todo = list(requirements)
    seen: dict[str, Distribution] = {}
    while todo:
        req = Requirement(todo.pop())
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        key = canonicalize_name(req.name)
        if key in seen:
            continue
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            continue  # an optional platform dependency not installed here
        seen[key] = dist
        todo.extend(dist.requires or [])
    return sorted(seen)


def _copy_installed(name: str, site: Path) -> None:
    dist = distribution(name)
    for file in dist.files or []:
        if ".." in file.parts:
            continue  # scripts and data outside site-packages
        source = Path(str(dist.locate_file(file)))
        if source.is_file():
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


@pytest.fixture(scope="module")
def clean_venv(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("clean") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--no-index", str(wheels["vi-ext"])],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    assert site != Path(sysconfig.get_paths()["purelib"])
    requires = distribution("vi-ext").requires or []
    for name in dependency_closure(requires):
        if name != "vi-ext":
            _copy_installed(name, site)
    return venv


def _run(venv: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=False, timeout=120, cwd=venv)


def test_wheels_carry_license_and_only_their_own_packages(wheels: dict[str, Path]) -> None:
    tops = {}
    for name, wheel in wheels.items():
        names = zipfile.ZipFile(wheel).namelist()
        assert any(n.endswith("licenses/LICENSE") for n in names), name
        tops[name] = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
        license_text = next(n for n in names if n.endswith("licenses/LICENSE"))
        assert b"Apache License" in zipfile.ZipFile(wheel).read(license_text)
    assert tops == {"vi-ext": {"vi_ext"}, "vi-ext-server": {"vi_server"}, "vi-ext-compat": {"vi"}}


def test_server_wheel_carries_the_specs_as_real_files(wheels: dict[str, Path]) -> None:
    archive = zipfile.ZipFile(wheels["vi-ext-server"])
    for spec in ("openapi.yaml", "storage.yaml"):
        assert archive.read(f"vi_server/spec/{spec}") == (ROOT / spec).read_bytes()


def test_server_wheel_carries_the_postgres_migrations(wheels: dict[str, Path]) -> None:
    names = set(zipfile.ZipFile(wheels["vi-ext-server"]).namelist())
    assert {"vi_server/migrations/env.py", "vi_server/migrations/versions/v0001_initial.py"} <= names


def test_sdk_wheel_carries_the_generated_client(wheels: dict[str, Path]) -> None:
    names = zipfile.ZipFile(wheels["vi-ext"]).namelist()
    assert "vi_ext/_generated/client.py" in names
    assert "vi_ext/py.typed" in names


def test_vi_ext_imports_in_a_clean_venv_without_server_libraries(clean_venv: Path) -> None:
    probe = "import importlib.util, vi_ext; print(vi_ext.__version__); " + "; ".join(
        f"print({name!r}, importlib.util.find_spec({name!r}) is None)" for name in ABSENT
    )
    run = _run(clean_venv, str(clean_venv / "bin" / "python"), "-c", probe)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.split("\n")
    assert lines[0] == distribution("vi-ext").version
    assert lines[1 : 1 + len(ABSENT)] == [f"{name} True" for name in ABSENT]


def test_vi_ext_cli_runs_and_asks_for_the_server_package(clean_venv: Path) -> None:
    help_run = _run(clean_venv, str(clean_venv / "bin" / "vi-ext"), "--help")
    assert help_run.returncode == 0, help_run.stderr
    assert "upload" in help_run.stdout
    serve = _run(clean_venv, str(clean_venv / "bin" / "vi-ext"), "serve", "--data-dir", "d", "--port", "0")
    assert serve.returncode == 2
    assert serve.stderr.strip().splitlines() == [
        "error: `vi-ext serve` needs the reference server, which is not installed: pip install vi-ext-server"
    ]
