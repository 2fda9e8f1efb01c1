"""Issue 15.5 in the CLI: `datasets rm` (confirmation, --yes, --dry-run), `datasets update`, `sessions ls`, `count`, `rename`."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.e2e.test_cli import as_json, run
from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import cli_confirm
from vi_ext.cli import main


def _dataset(server: RunningServer, tmp_path: Path, files: int) -> str:
    ds = "cli-" + uuid.uuid4().hex[:6]
    as_json(server, "datasets", "create", "CLI new ops", "--id", ds)
    if files:
        for i in range(files):
            write_image(tmp_path / "in" / f"{i}.jpg", seed=i)
        as_json(server, "upload", str(tmp_path / "in"), "--dataset", ds)
    return ds


def test_datasets_rm_refuses_without_a_terminal_and_dry_run_deletes_nothing(
    server: RunningServer, tmp_path: Path
) -> None:
    creds = str(server.data_dir / "credentials.json")
    ds = _dataset(server, tmp_path, 2)
    refused = run("--config-file", creds, "datasets", "rm", ds)
    assert refused.returncode == 2
    assert "--yes" in refused.stderr
    dry = as_json(server, "datasets", "rm", ds, "--dry-run")
    assert dry == {"dry_run": True, "action": "delete", "count": 1, "first": []}
    assert as_json(server, "datasets", "get", ds)["asset_total"] == 2
    gone = as_json(server, "datasets", "rm", ds, "--yes")
    assert (gone["dataset_id"], gone["deleted"], gone["finished"], gone["message"]) == (ds, True, True,
                                                                                        "2 assets deleted")  # fmt: skip
    missing = run("--config-file", creds, "datasets", "get", ds)
    assert missing.returncode == 2
    assert "ViNotFoundError" in missing.stderr


@pytest.mark.parametrize(("answer", "code", "left"), [("n\n", 2, True), ("\n", 2, True), ("y\n", 0, False)])
def test_datasets_rm_asks_on_a_terminal(
    server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, code: int, left: bool
) -> None:
    ds = _dataset(server, tmp_path, 0)
    monkeypatch.setattr(cli_confirm, "interactive", lambda: True)
    creds = str(server.data_dir / "credentials.json")
    result = CliRunner().invoke(main, ["--config-file", creds, "datasets", "rm", ds], input=answer)
    assert result.exit_code == code, result.output
    assert f"Delete 1 dataset '{ds}'" in result.output
    assert (run("--config-file", creds, "datasets", "get", ds).returncode == 0) is left


def test_update_sessions_count_rename(server: RunningServer, tmp_path: Path) -> None:
    ds = _dataset(server, tmp_path, 3)
    updated = as_json(server, "datasets", "update", ds, "--name", "New name", "--description", "d")
    assert (updated["name"], updated["description"]) == ("New name", "d")
    nothing = run("--config-file", str(server.data_dir / "credentials.json"), "datasets", "update", ds)
    assert nothing.returncode == 2
    sessions = as_json(server, "sessions", "ls", "--dataset", ds)
    assert [(s["total"], s["succeeded"], s["finished"]) for s in sessions] == [(3, 3, True)]
    assert as_json(server, "count", "--dataset", ds)["count"] == 3
    assert as_json(server, "count", "--dataset", ds, "--filter", '{"filename": "0.jpg"}')["count"] == 1
    asset_id = as_json(server, "ls", "--dataset", ds, "--filter", '{"filename": "0.jpg"}')[0]["asset_id"]
    renamed = as_json(server, "rename", asset_id, "zero/0.jpg", "--dataset", ds)
    assert (renamed["asset_id"], renamed["filename"]) == (asset_id, "zero/0.jpg")
    human = run("--config-file", str(server.data_dir / "credentials.json"), "sessions", "ls", "--dataset", ds)
    assert human.returncode == 0
    header, row = human.stdout.splitlines()  # piped: a header and one whole row per session
    assert header.split()[:2] == ["session", "id"]
    assert row.split()[0] == sessions[0]["session_id"]


@pytest.mark.parametrize("first", ["vi_ext.cli", "vi_ext.cli_commands", "vi_ext.cli_manage"])
def test_the_cli_modules_import_in_any_order(first: str) -> None:
    code = f"import {first}; from vi_ext.cli import main; print(sorted(main.commands))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "'sessions'" in done.stdout
    assert "'rename'" in done.stdout
