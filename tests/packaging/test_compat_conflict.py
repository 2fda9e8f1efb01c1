"""Importing `vi` (vi-ext-compat) while the official vi-sdk is installed warns clearly (issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _import_vi(extra_path: Path | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if extra_path is not None:
        env["PYTHONPATH"] = str(extra_path)
    return subprocess.run(
        [sys.executable, "-W", "always::RuntimeWarning", "-c", "import vi; print(vi.Client.__name__)"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_no_warning_without_vi_sdk() -> None:
    run = _import_vi(None)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Client"
    assert "vi-sdk" not in run.stderr


def test_warns_when_vi_sdk_metadata_is_present(tmp_path: Path) -> None:
    info = tmp_path / "vi_sdk-0.1.0b7.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vi-sdk\nVersion: 0.1.0b7\n", encoding="utf-8")
    run = _import_vi(tmp_path)
    assert run.returncode == 0, run.stderr
    assert "RuntimeWarning" in run.stderr
    assert "conflicts with the official vi-sdk 0.1.0b7" in run.stderr
    assert "pip uninstall vi-ext-compat" in run.stderr
