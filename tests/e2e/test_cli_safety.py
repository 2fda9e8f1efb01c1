"""The CLI is safe and scriptable (issue 13 item 9): confirmation, Ctrl-C, output, errors, progress."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.test_cli import VI_EXT, run
from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client
from vi_ext.cli_confirm import decide
from vi_ext.cli_output import plain_lines
from vi_ext.progress import ProgressEvent, eta_by_files

LONG = "long-" + "x" * 150 + ".jpg"


def cli(server: RunningServer, *args: str) -> subprocess.CompletedProcess[str]:
    return run("--config-file", str(server.data_dir / "credentials.json"), *args)


def dataset_with(server: RunningServer, tmp_path: Path, names: list[str]) -> str:
    ds = "safe-" + uuid.uuid4().hex[:6]
    assert cli(server, "datasets", "create", ds, "--id", ds).returncode == 0
    folder = tmp_path / ds
    for i, name in enumerate(names):
        write_image(folder / name, seed=300 + i)
    done = cli(server, "--json", "upload", str(folder), "--dataset", ds)
    assert done.returncode == 0, done.stderr
    return ds


def filenames(server: RunningServer, ds: str) -> list[str]:
    done = cli(server, "--json", "ls", "--dataset", ds)
    assert done.returncode == 0, done.stderr
    return sorted(a["filename"] for a in json.loads(done.stdout))


# ---------------------------------------------------------------- rm --all: dry run and confirmation
def test_rm_all_without_a_terminal_refuses_unless_yes(server: RunningServer, tmp_path: Path) -> None:
    ds = dataset_with(server, tmp_path, ["a/1.jpg", "a/2.jpg", "b/3.jpg"])
    refused = cli(server, "rm", "--all", "--dataset", ds)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert "--yes" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert cli(server, "rm", "--all", "--dataset", ds, "--filter", '{"filename": "a/"}').returncode == 2
    assert filenames(server, ds) == ["a/1.jpg", "a/2.jpg", "b/3.jpg"]

    dry = cli(server, "rm", "--all", "--dataset", ds, "--filter", '{"filename": "a/"}', "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "2" in dry.stdout
    assert "a/1.jpg" in dry.stdout
    assert "b/3.jpg" not in dry.stdout
    dry_json = json.loads(cli(server, "rm", "--all", "--dataset", ds, "--dry-run", "--json").stdout)
    assert dry_json["count"] == 3
    assert sorted(dry_json["first"]) == ["a/1.jpg", "a/2.jpg", "b/3.jpg"]
    assert filenames(server, ds) == ["a/1.jpg", "a/2.jpg", "b/3.jpg"]

    done = cli(server, "rm", "--all", "--dataset", ds, "--filter", '{"filename": "a/"}', "--yes")
    assert done.returncode == 0, done.stderr
    assert filenames(server, ds) == ["b/3.jpg"]


def run_on_a_terminal(server: RunningServer, answer: str, *args: str) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdin and stdout; type ``answer``."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATATURE_")}
    proc = subprocess.Popen([VI_EXT, "--config-file", str(server.data_dir / "credentials.json"), *args],
                            stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)  # fmt: skip
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 60
    answered = False
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                out += os.read(master, 4096)
        except OSError:
            break
        if not answered and b"[y/N]" in out:
            os.write(master, answer.encode() + b"\n")
            answered = True
    proc.wait(timeout=10)
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                break
            chunk = os.read(master, 4096)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    os.close(master)
    return proc.returncode, out.decode(errors="replace")


def test_rm_all_on_a_terminal_asks_first(server: RunningServer, tmp_path: Path) -> None:
    ds = dataset_with(server, tmp_path, ["a/1.jpg", "b/2.jpg"])
    code, out = run_on_a_terminal(server, "n", "rm", "--all", "--dataset", ds)
    assert "2 assets" in out
    assert "[y/N]" in out
    assert code == 2
    assert filenames(server, ds) == ["a/1.jpg", "b/2.jpg"]
    code, out = run_on_a_terminal(server, "y", "rm", "--all", "--dataset", ds, "--filter", '{"filename": "b/"}')
    assert code == 0, out
    assert filenames(server, ds) == ["a/1.jpg"]


# ---------------------------------------------------------------- Ctrl-C
def test_ctrl_c_exits_130_and_says_how_to_resume(tmp_path: Path) -> None:
    slow = RunningServer(tmp_path / "vi-data", "--faults", "slow=1.0").start()
    try:
        ds = "slow-" + uuid.uuid4().hex[:6]
        assert cli(slow, "datasets", "create", ds, "--id", ds).returncode == 0
        for i in range(100):
            write_image(tmp_path / "photos" / f"{i:03d}.jpg", seed=i)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATATURE_")}
        proc = subprocess.Popen(
            [VI_EXT, "--config-file", str(slow.data_dir / "credentials.json"), "upload", str(tmp_path / "photos"),
             "--dataset", ds, "--workers", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        time.sleep(6)  # started under any load; the 100 files need > 30 s (0.3 s per request)
        assert proc.poll() is None
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert time.monotonic() - sent < 10
        assert proc.returncode == 130, err
        assert "Traceback" not in err
        assert "of 100 files sent" in err
        assert "--skip-existing" in err
    finally:
        slow.stop()


# ---------------------------------------------------------------- output for scripts
def test_tables_never_wrap_when_piped(server: RunningServer, tmp_path: Path) -> None:
    ds = dataset_with(server, tmp_path, [LONG, "deep/" + "d" * 120 + "/short.png", "z.jpg"])
    listed = cli(server, "ls", "--dataset", ds)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert any(LONG in line for line in lines)
    for name in filenames(server, ds):
        assert len([line for line in lines if name in line]) == 1, listed.stdout
    tsv = cli(server, "ls", "--dataset", ds, "--output", "tsv", "--sort", "filename")
    rows = [line.split("\t") for line in tsv.stdout.splitlines()]
    assert rows[0][0] == "filename"
    assert [r[0] for r in rows[1:]] == sorted(filenames(server, ds))
    assert len({len(r) for r in rows}) == 1
    as_json = json.loads(cli(server, "ls", "--dataset", ds, "--output", "json").stdout)
    assert sorted(a["filename"] for a in as_json) == filenames(server, ds)

    datasets = cli(server, "datasets", "ls", "--output", "tsv").stdout.splitlines()
    assert any(line.split("\t")[0] == ds for line in datasets)

    asset_id = next(a["asset_id"] for a in as_json if a["filename"] == LONG)
    got = cli(server, "get", asset_id, "--dataset", ds, "--contents")
    url = json.loads(cli(server, "get", asset_id, "--dataset", ds, "--contents", "--json").stdout)["url"]
    assert len(url) > 80
    assert any(url.split("?")[0] in line for line in got.stdout.splitlines()), got.stdout
    assert any(LONG in line for line in got.stdout.splitlines())


def test_global_options_after_the_subcommand(server: RunningServer, tmp_path: Path) -> None:
    ds = dataset_with(server, tmp_path, ["1.jpg"])
    assert ds in [d["dataset_id"] for d in json.loads(cli(server, "datasets", "ls", "--json").stdout)]
    quiet = cli(server, "ls", "--dataset", ds, "--quiet")
    assert (quiet.returncode, quiet.stdout) == (0, "")
    assert json.loads(cli(server, "datasets", "get", ds, "--json").stdout)["asset_total"] == 1
    assert json.loads(cli(server, "--json", "datasets", "get", ds).stdout)["asset_total"] == 1


def test_readable_output_of_get_wait_and_upload(server: RunningServer, tmp_path: Path) -> None:
    ds = dataset_with(server, tmp_path, ["1.jpg"])
    got = cli(server, "datasets", "get", ds)
    assert got.returncode == 0
    assert "{" not in got.stdout
    assert "'" not in got.stdout
    assert any(line.split() == ["asset_total:", "1"] for line in got.stdout.splitlines()), got.stdout

    folder = tmp_path / "more"
    write_image(folder / "2.jpg", seed=2)
    write_image(folder / "3.png", seed=3)
    (folder / "notes.txt").write_text("not an image")
    up = cli(server, "upload", str(folder), "--dataset", ds)
    assert up.returncode == 0, up.stderr
    text = up.stdout.lower()
    assert "skipped" in text
    assert "1 skipped" in text or "skipped: 1" in text or "skipped (unsupported extension): 1" in text, up.stdout
    assert "/s" in text, up.stdout  # throughput
    assert " s" in text or "seconds" in text, up.stdout  # duration

    later = json.loads(cli(server, "upload", str(folder / "2.jpg"), "--dataset", ds, "--no-wait", "--json").stdout)
    waited = cli(server, "wait", later["session_ids"][0], "--dataset", ds)
    assert waited.returncode == 0, waited.stderr
    assert "{" not in waited.stdout
    assert any(line.split() == ["succeeded:", "1"] for line in waited.stdout.splitlines()), waited.stdout


# ---------------------------------------------------------------- errors
def serve(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([VI_EXT, "serve", *args], capture_output=True, text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired as exc:  # it started serving: that is the failure
        raise AssertionError(f"serve did not fail: {exc.stdout!r}") from None


def assert_one_line_exit_2(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr


def test_serve_fails_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = serve("--data-dir", str(tmp_path / "d1"), "--port", str(port))
        assert_one_line_exit_2(done)
        assert str(port) in done.stderr
    done = serve("--data-dir", str(tmp_path / "d2"), "--port", "0", "--host", "no-such-host.invalid")
    assert_one_line_exit_2(done)
    assert "no-such-host.invalid" in done.stderr
    (tmp_path / "a-file").write_text("x")
    done = serve("--data-dir", str(tmp_path / "a-file" / "data"), "--port", "0")
    assert_one_line_exit_2(done)
    assert "a-file" in done.stderr
    assert_one_line_exit_2(serve("--data-dir", str(tmp_path / "d3"), "--port", "0", "--faults", "bogus=2"))


def test_errors_name_the_endpoint_and_the_typed_dataset_id(server: RunningServer) -> None:
    env = {"DATATURE_VI_SECRET_KEY": server.key, "DATATURE_VI_ORGANIZATION_ID": server.org,
           "DATATURE_VI_API_ENDPOINT": "http://127.0.0.1:9"}  # fmt: skip
    unreachable = run("datasets", "ls", env=env)
    assert_one_line_exit_2(unreachable)
    assert "http://127.0.0.1:9" in unreachable.stderr
    missing = cli(server, "datasets", "get", "no-such-ds")
    assert_one_line_exit_2(missing)
    assert "'no-such-ds'" in missing.stderr
    assert server.org not in missing.stderr
    listing = cli(server, "ls", "--dataset", "no-such-ds")
    assert_one_line_exit_2(listing)
    assert server.org not in listing.stderr


# ---------------------------------------------------------------- progress
def test_progress_phases_ingest_and_download_byte_total(server: RunningServer, tmp_path: Path) -> None:
    client = Client(config_file=server.data_dir / "credentials.json")
    ds = "prog-" + uuid.uuid4().hex[:6]
    client.datasets.create(ds, dataset_id=ds)
    sizes = [len(write_image(tmp_path / "in" / f"{i}.png", seed=i)) for i in range(5)]
    events: list[ProgressEvent] = []
    result = client.assets.upload(ds, tmp_path / "in", show_progress=False, progress=events.append)
    assert result.total_succeeded == 5
    phases = [e.phase for e in events]
    assert set(phases) == {"upload", "ingest"}
    assert phases.index("ingest") > max(i for i, p in enumerate(phases) if p == "upload")
    last = events[-1]
    assert (last.phase, last.done_files, last.total_files) == ("ingest", 5, 5)

    events.clear()
    client.assets.download(ds, tmp_path / "out", show_progress=False, progress=events.append)
    assert {e.phase for e in events} == {"download"}
    assert all(e.total_bytes == sum(sizes) for e in events)
    assert (events[-1].done_files, events[-1].done_bytes) == (5, sum(sizes))


@pytest.mark.parametrize(
    ("files", "nbytes", "by_files"),
    [(3000, 3000 * 40_000, True), (2, 2 * (500 << 20), False), (1, 10, False), (0, 0, False)],
)
def test_eta_is_by_files_for_many_small_files(files: int, nbytes: int, by_files: bool) -> None:
    assert eta_by_files(files, nbytes) is by_files


@pytest.mark.parametrize(
    ("yes", "dry_run", "interactive", "count", "decision"),
    [(False, True, False, 5, "dry-run"), (True, True, True, 5, "dry-run"), (True, False, False, 5, "go"),
     (False, False, True, 5, "ask"), (False, False, False, 5, "refuse"), (False, False, False, 0, "go")],
)  # fmt: skip
def test_destructive_decision(yes: bool, dry_run: bool, interactive: bool, count: int, decision: str) -> None:
    assert decide(yes=yes, dry_run=dry_run, interactive=interactive, count=count) == decision


def test_plain_rows_keep_every_value_whole() -> None:
    rows = [["a\tb\nc", 1], [LONG, 22]]
    lines = plain_lines(["name", "n"], rows, frozenset({1}))
    assert len(lines) == 3
    assert LONG in lines[2]
    assert "a b c" in lines[1]
    assert lines[1].endswith(" 1")


# ---------------------------------------------------------------- found in an outside trial
def test_the_upload_output_leads_with_the_cause(server: RunningServer, tmp_path: Path) -> None:
    from tests.helpers.images import truncated_jpeg

    ds = dataset_with(server, tmp_path, ["ok/0.jpg"])
    folder = tmp_path / "mixed"
    for i in range(30):
        write_image(folder / f"{i:03d}.jpg", seed=i)
    (folder / "015.jpg").write_bytes(truncated_jpeg(5))
    human = cli(server, "upload", str(folder), "--dataset", ds, "--failure-mode", "FailAfterOne")
    assert human.returncode == 1
    lines = human.stdout.splitlines()
    first_failed = next(i for i, line in enumerate(lines) if line.startswith("FAILED"))
    cause = next(i for i, line in enumerate(lines) if line.startswith("Cause: "))
    assert cause < first_failed
    assert "015.jpg [ECORRUPT]" in lines[cause]
    again = cli(server, "--json", "upload", str(folder), "--dataset", ds, "--failure-mode", "FailAfterOne")
    assert json.loads(again.stdout)["cause"]["code"] == "ECORRUPT"


def test_every_command_takes_output_options_after_it_and_tsv_survives_quiet(
    server: RunningServer, tmp_path: Path
) -> None:
    ds = dataset_with(server, tmp_path, ["x/1.jpg", "x/2.jpg"])
    counted = cli(server, "count", "--dataset", ds, "--json")
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout)["count"] == 2
    assert cli(server, "datasets", "update", ds, "--name", "renamed", "-q").returncode == 0
    assert cli(server, "datasets", "rm", ds, "--dry-run", "-o", "json").returncode == 0
    rows = cli(server, "ls", "--dataset", ds, "-q", "-o", "tsv").stdout.splitlines()
    assert len(rows) == 3  # asked for TSV: the data prints even with --quiet (header + 2 rows)


def test_a_reader_that_leaves_the_pipe_ends_the_cli_quietly_with_141(server: RunningServer) -> None:
    """`vi-ext datasets ls | head -0`: exit 141 (128 + SIGPIPE) and nothing on stderr, no traceback."""
    with Client(config_file=str(server.data_dir / "credentials.json")) as client:
        client.datasets.create("pipe-" + uuid.uuid4().hex[:8])
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATATURE_")}
    proc = subprocess.Popen(
        [VI_EXT, "--config-file", str(server.data_dir / "credentials.json"), "datasets", "ls", "--output", "tsv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert err == ""
