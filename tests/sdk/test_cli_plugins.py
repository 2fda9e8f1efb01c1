"""`vi-ext serve` / `vi-ext org create` come from vi-ext-server's plug-in, or say how to get it (issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from vi_ext import cli_plugins


def _group() -> click.Group:
    @click.group()
    def root() -> None:
        """A bare top-level group."""

    return root


class _BrokenEntryPoint:
    name = "serve"

    def load(self) -> Any:
        raise ImportError("No module named 'uvicorn'")


@pytest.mark.parametrize("argv", [["serve", "--data-dir", "x", "--port", "0"], ["org", "create", "--data-dir", "x"]])
def test_without_the_server_the_commands_say_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    monkeypatch.setattr(cli_plugins, "discovered", dict)
    group = _group()
    cli_plugins.register(group)
    result = CliRunner().invoke(group, argv)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert f"`vi-ext {argv[0]}` needs the reference server" in lines[0]
    assert "pip install vi-ext-server" in lines[0]


def test_without_the_server_help_still_lists_the_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_plugins, "discovered", dict)
    group = _group()
    cli_plugins.register(group)
    result = CliRunner().invoke(group, ["--help"])
    assert result.exit_code == 0
    assert "serve" in result.output
    assert "needs vi-ext-server" in result.output


def test_a_plugin_that_fails_to_load_gives_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_plugins, "discovered", lambda: {"serve": _BrokenEntryPoint()})
    group = _group()
    cli_plugins.register(group)
    result = CliRunner().invoke(group, ["serve", "--data-dir", "x"])
    assert result.exit_code == 2
    assert "failed to load (ImportError: No module named 'uvicorn')" in result.output
    assert "Traceback" not in result.output


def test_the_installed_server_registers_serve_and_org() -> None:
    assert {"serve", "org"} <= set(cli_plugins.discovered())
    from vi_ext.cli import main

    assert main.commands["serve"].callback.__module__ == "vi_server.cli"
    assert isinstance(main.commands["org"], click.Group)


def test_vi_ext_org_create_works_through_the_plugin(tmp_path: Path) -> None:
    run = subprocess.run(
        [str(Path(sys.executable).parent / "vi-ext"), "org", "create", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    creds = json.loads(run.stdout)
    assert set(creds) >= {"organization_id", "secret_key"}
    assert (tmp_path / "vi.sqlite3").exists()
