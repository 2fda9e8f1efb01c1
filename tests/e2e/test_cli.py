"""The `vi-ext` command line as a user meets it (issue 7): subprocesses, exit codes, --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from tests.helpers.images import truncated_jpeg, write_image
from tests.helpers.server_harness import RunningServer

VI_EXT = str(Path(sys.executable).parent / "vi-ext")


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DATATURE_")}
    return subprocess.run([VI_EXT, *args], capture_output=True, text=True, env={**base, **(env or {})},
                          cwd=cwd, timeout=300, check=False)  # fmt: skip


def as_json(server: RunningServer, *args: str) -> Any:
    done = run("--config-file", str(server.data_dir / "credentials.json"), "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_subcommand(server: RunningServer, tmp_path: Path) -> None:
    creds = str(server.data_dir / "credentials.json")
    ds = "cli-" + uuid.uuid4().hex[:6]
    assert as_json(server, "datasets", "create", "CLI test", "--id", ds)["dataset_id"] == ds
    assert ds in [d["dataset_id"] for d in as_json(server, "datasets", "ls")]
    folder = tmp_path / "photos"
    for i, name in enumerate(["a/1.jpg", "a/2.png", "b/3.webp", "b/4.gif", "5.tiff"]):
        write_image(folder / name, seed=i)
    up = as_json(server, "upload", str(folder), "--dataset", ds, "--batch-size", "2", "--workers", "4")
    assert (up["total_files"], up["succeeded"], up["failed"], len(up["session_ids"])) == (5, 5, 0, 3)
    assert as_json(server, "datasets", "get", ds)["asset_total"] == 5

    listed = as_json(server, "ls", "--dataset", ds, "--sort", "filename", "--desc", "--limit", "3")
    assert [a["filename"] for a in listed] == ["b/4.gif", "b/3.webp", "a/2.png"]
    only = as_json(server, "ls", "--dataset", ds, "--filter", '{"filename": "a/"}')
    assert sorted(a["filename"] for a in only) == ["a/1.jpg", "a/2.png"]
    got = as_json(server, "get", listed[0]["asset_id"], "--dataset", ds, "--contents")
    assert got["url"].startswith(server.endpoint)

    later = as_json(server, "upload", str(folder / "5.tiff"), "--dataset", ds, "--no-wait")
    assert as_json(server, "wait", later["session_ids"][0], "--dataset", ds)["succeeded"] == 1

    dl = as_json(server, "download", str(tmp_path / "out"), "--dataset", ds)
    assert (dl["count"], dl["downloaded"], dl["failed"]) == (5, 5, 0)
    assert (tmp_path / "out" / ds / "b" / "3.webp").read_bytes() == (folder / "b" / "3.webp").read_bytes()

    assert as_json(server, "rm", listed[0]["asset_id"], "--dataset", ds)["deleted"] == [listed[0]["asset_id"]]
    assert as_json(server, "rm", "--all", "--yes", "--dataset", ds, "--filter", '{"filename": "a/"}')["finished"]
    assert sorted(a["filename"] for a in as_json(server, "ls", "--dataset", ds)) == ["5.tiff", "b/3.webp"]
    human = run("--config-file", creds, "ls", "--dataset", ds)
    assert human.returncode == 0
    assert "5.tiff" in human.stdout


def test_failed_file_exits_1_and_names_the_file(server: RunningServer, tmp_path: Path) -> None:
    ds = "cli-" + uuid.uuid4().hex[:6]
    as_json(server, "datasets", "create", "failing", "--id", ds)
    write_image(tmp_path / "good.jpg", seed=1)
    (tmp_path / "broken.jpg").write_bytes(truncated_jpeg())
    done = run("--config-file", str(server.data_dir / "credentials.json"), "upload", str(tmp_path), "--dataset", ds)
    assert done.returncode == 1
    assert "broken.jpg" in done.stdout
    assert "ECORRUPT" in done.stdout


def test_credentials_from_the_environment_and_errors_in_one_line(server: RunningServer) -> None:
    env = {"DATATURE_VI_SECRET_KEY": server.key, "DATATURE_VI_ORGANIZATION_ID": server.org,
           "DATATURE_VI_API_ENDPOINT": server.endpoint}  # fmt: skip
    assert run("--json", "datasets", "ls", env=env).returncode == 0
    wrong = run("datasets", "ls", env={**env, "DATATURE_VI_SECRET_KEY": "dtvi_" + "x" * 98})
    assert wrong.returncode == 2
    assert wrong.stderr.count("\n") == 1
    assert "ViAuthenticationError" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    assert server.key not in wrong.stderr
    unreachable = run("datasets", "ls", env={**env, "DATATURE_VI_API_ENDPOINT": "http://127.0.0.1:9"})
    assert unreachable.returncode == 2
    assert "Traceback" not in unreachable.stderr
    missing = run("datasets", "ls")
    assert missing.returncode == 2
    assert "ViConfigurationError" in missing.stderr
    assert run("upload", "--dataset", "x", env=env).returncode == 2  # usage: no PATH
    assert run("rm", "--dataset", "x", env=env).returncode == 2
    assert "Examples" in run("--help").stdout
