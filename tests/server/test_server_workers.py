"""``serve --workers N`` and ``--role all|http|ingest`` (issue 18, items 2 and 5).

Pure decisions (the process plan, restart delays, which staging files and uploaded rows the
ingestion role may take), the ingestion lock and the shared session activity at unit level; then
servers with several processes end to end, including an HTTP worker killed during an upload.
The tests that share a database between processes run on each database of ``$VI_TEST_BACKENDS``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from tests.helpers.images import image_bytes, write_image
from tests.helpers.server_harness import Api, RunningServer
from vi_ext import Client
from vi_server import sessions, shared_activity
from vi_server.activity import SessionActivity
from vi_server.blobs import Digests
from vi_server.cli import main
from vi_server.ingest import Ingestor, discovered, old_enough
from vi_server.ingest_lock import IngestionBusyError, IngestLock
from vi_server.ingest_notify import Listener, Notifier, address, decode, encode
from vi_server.roles import MAX_RESTART_DELAY, process_plan, restart_delay
from vi_server.state import ServerConfig, ServerState
from vi_server.store import open_database
from vi_server.testing.backends import BACKENDS, BackendServices, selected_backends

LINUX_PROC = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to watch processes")


DATABASES = sorted({b.database for b in selected_backends()})


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, backend_services: BackendServices) -> str | None:
    """``None`` (SQLite in the data dir) or an empty PostgreSQL database (skipped, with the reason, if none)."""
    if request.param == "sqlite":
        return None
    postgres = BACKENDS["postgres-local"]
    reason = backend_services.unavailable_reason(postgres)
    if reason:
        pytest.skip(reason)
    return backend_services.server_options(postgres).args[1]


def store_args(database_url: str | None) -> list[str]:
    """The ``serve`` options of the store."""
    return [] if database_url is None else ["--database-url", database_url]


def count_files(data_dir: Path, database_url: str | None, states: str) -> int:
    """Session files in the given states (a SQL list, e.g. ``'uploaded'``), read from outside the server."""
    db = open_database(database_url, data_dir)
    try:
        with db.read() as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM session_files WHERE state IN ({states})").fetchone()[0])
    finally:
        db.close()


def wait_for(predicate: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


def worker_pids(server: RunningServer, kind: str = "http") -> dict[int, int]:
    """The latest pid of each worker slot of ``kind``, from the supervisor's log."""
    found: dict[int, int] = {}
    for m in re.finditer(rf"{kind} worker (\d+) started \(pid (\d+)\)", (server.data_dir / "server.log").read_text()):
        found[int(m[1])] = int(m[2])
    return found


# ---------------------------------------------------------------- pure decisions
def test_the_process_plan_of_each_role() -> None:
    assert process_plan("all", 1) == []  # one process, as before
    assert process_plan("all", 2) == ["http", "http", "ingest"]
    assert process_plan("http", 1) == ["http"]
    assert process_plan("http", 3) == ["http", "http", "http"]
    assert process_plan("ingest", 1) == []
    for role, workers, word in (("all", 0, "at least 1"), ("http", -1, "at least 1"),
                                ("ingest", 2, "--role ingest"), ("both", 1, "--role")):  # fmt: skip
        with pytest.raises(ValueError, match=word):
            process_plan(role, workers)


def test_a_child_that_keeps_dying_on_start_is_restarted_ever_more_slowly() -> None:
    assert restart_delay(0) == 0.0  # it ran for a while: at once
    delays = [restart_delay(n) for n in range(1, 12)]
    assert delays == sorted(delays)
    assert delays[0] > 0
    assert delays[-1] == MAX_RESTART_DELAY


def test_only_old_staging_files_may_be_leftovers_while_http_workers_run() -> None:
    assert old_enough({"young": 1.0, "old": 500.0, "edge": 120.0}, 120.0) == ["old", "edge"]
    assert old_enough({"a": 0.0}, 0.0) == ["a"]


def test_discovery_skips_files_already_queued_and_keeps_the_order() -> None:
    rows = [("s1", 0), ("s1", 1), ("s2", 0), ("s1", 2)]
    assert discovered(rows, {("s1", 1)}) == [("s1", 0), ("s2", 0), ("s1", 2)]
    assert discovered(rows, set(rows)) == []


def test_the_cli_refuses_bad_worker_and_role_options(tmp_path: Path) -> None:
    runner = CliRunner()
    for args, word in ((["--workers", "0"], "at least 1"), (["--role", "ingest", "--workers", "2"], "--role ingest"),
                       (["--role", "nope"], "nope")):  # fmt: skip
        result = runner.invoke(main, ["serve", "--data-dir", str(tmp_path / "d"), "--port", "0", *args])
        assert result.exit_code == 2, result.output
        assert word in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "d" / "credentials.json").exists()


def test_upload_hints_round_trip_and_malformed_ones_are_dropped() -> None:
    assert decode(encode(("abc123", 7))) == ("abc123", 7)
    for bad in (b"", b"abc", b"abc -1", b"abc 1 2", b" 3", b"\xff 1", b"abc x"):
        assert decode(bad) is None, bad


@pytest.mark.skipif(address(Path("/")) is None, reason="upload hints use Linux abstract sockets (polling elsewhere)")
def test_an_http_worker_hints_the_ingestion_role_and_a_missing_listener_is_harmless(tmp_path: Path) -> None:
    notifier = Notifier(tmp_path)
    notifier.enqueue("s", 1)  # nobody listens yet: no error
    got: list[tuple[str, int]] = []
    listener = Listener(tmp_path, got.append)
    listener.start()
    try:
        notifier.enqueue("s", 2)
        Notifier(tmp_path / "other").enqueue("s", 3)  # another data dir's ingestion role
        wait_for(lambda: got == [("s", 2)], timeout=5)
        time.sleep(0.2)
        assert got == [("s", 2)]
    finally:
        listener.stop()


# ---------------------------------------------------------------- the ingestion lock
def test_one_ingestion_role_per_data_dir(tmp_path: Path) -> None:
    first, second = IngestLock(tmp_path), IngestLock(tmp_path)
    first.acquire()
    with pytest.raises(IngestionBusyError, match="--role http"):
        second.acquire()
    with pytest.raises(IngestionBusyError):
        second.probe()
    first.release()
    second.acquire()  # free again once the holder is gone
    second.release()


# ---------------------------------------------------------------- session activity across processes
def test_http_workers_publish_session_activity_for_the_ingestion_sweeper(
    tmp_path: Path, database_url: str | None
) -> None:
    state = ServerState(ServerConfig(data_dir=tmp_path / "data", database_url=database_url))
    activity = SessionActivity()
    with activity.receiving("busy"):
        seen = activity.take_unpublished()
        assert set(seen) == {"busy"}
        assert abs(seen["busy"] - time.time()) < 5
        assert set(activity.take_unpublished()) == {"busy"}  # still running: published every time
    assert set(activity.take_unpublished()) == {"busy"}  # its end
    assert activity.take_unpublished() == {}
    with state.db.tx() as conn:
        shared_activity.publish(conn, {"a": 200.0, "b": 100.0})
        shared_activity.publish(conn, {"a": 150.0, "b": 300.0})  # another worker: the later time wins
        assert shared_activity.load(conn) == {"a": 200.0, "b": 300.0}
        shared_activity.forget(conn, ["a"])
        assert shared_activity.load(conn) == {"b": 300.0}
    state.db.close()


def test_the_sweeper_keeps_a_session_open_while_another_process_reports_its_puts(
    tmp_path: Path, database_url: str | None
) -> None:
    config = ServerConfig(data_dir=tmp_path / "data", ingest_workers=1, session_idle_timeout_seconds=1.0,
                          sweep_interval_seconds=0.05, database_url=database_url)  # fmt: skip
    ingestor = Ingestor(ServerState(config), discover=True)
    state = ingestor.state
    spec = {"assets": [{"filename": "a.png", "mime": "image/png", "size": 10, "kind": "Image"}],
            "failureMode": "FailAfterAll", "onAssetOverwritten": "RemoveLinkedResource"}  # fmt: skip
    quiet = sessions.create(state, "org", "ds", ("managed", "datature", "default"), spec)
    busy = sessions.create(state, "org", "ds", ("managed", "datature", "default"), spec)
    ingestor.start()
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:  # an HTTP worker elsewhere has a PUT of `busy` running
            with state.db.tx() as conn:
                shared_activity.publish(conn, {busy: time.time()})
            time.sleep(0.2)
        with state.db.read() as conn:
            states = dict(conn.execute("SELECT session_id, state FROM sessions").fetchall())
        assert states == {quiet: "finished", busy: "open"}
    finally:
        ingestor.stop()
        state.db.close()


# ---------------------------------------------------------------- the discovering ingestion role
def test_the_ingestion_role_finds_files_other_processes_recorded_and_ingests_each_once(
    tmp_path: Path, database_url: str | None
) -> None:
    config = ServerConfig(data_dir=tmp_path / "data", ingest_workers=2, database_url=database_url)
    ingestor = Ingestor(ServerState(config), discover=True)
    state = ingestor.state
    files = [(f"f{i}.png", image_bytes("png", seed=i)) for i in range(40)]
    spec = {"assets": [{"filename": n, "mime": "image/png", "size": len(d), "kind": "Image"} for n, d in files],
            "failureMode": "FailAfterAll", "onAssetOverwritten": "RemoveLinkedResource"}  # fmt: skip
    sid = sessions.create(state, "org", "ds", ("managed", "datature", "default"), spec)
    ingestor.start()
    try:
        for idx, (_, data) in enumerate(files):  # as an HTTP worker of another process records a PUT
            staged = state.blobs.new_staging_path()
            staged.write_bytes(data)
            digests = Digests()
            digests.update(data)
            received = {"size": len(data), "crc32c": digests.crc32c_signed(), "sha256": digests.sha256.hexdigest()}
            with state.db.tx() as conn:
                conn.execute(
                    "UPDATE session_files SET state='uploaded', staged=?, received=? WHERE session_id=? AND idx=?",
                    (str(staged), json.dumps(received), sid, idx),
                )
            ingestor.queue.put((sid, idx))  # a duplicate on top of discovery: claims are atomic

        def finished() -> bool:
            with state.db.read() as conn:
                return bool(
                    conn.execute("SELECT state FROM sessions WHERE session_id=?", (sid,)).fetchone()[0] == "finished"
                )

        wait_for(finished)
        with state.db.read() as conn:
            assert tuple(conn.execute("SELECT COUNT(*), COUNT(DISTINCT filename) FROM assets").fetchone()) == (40, 40)
            states = conn.execute("SELECT state, COUNT(*) FROM session_files GROUP BY state").fetchall()
        assert [tuple(r) for r in states] == [("ingested", 40)]
    finally:
        ingestor.stop()
        state.db.close()


# ---------------------------------------------------------------- processes end to end
def test_http_role_and_a_separate_ingestion_process_share_a_data_dir(tmp_path: Path, database_url: str | None) -> None:
    data = tmp_path / "vi-data"
    server = RunningServer(data, "--role", "http", "--workers", "2", *store_args(database_url)).start()
    ingest = None
    try:
        api = Api(server.endpoint, server.org, server.key)
        api.create_dataset("split")
        files = [(f"s{i}.jpg", image_bytes("jpg", seed=i)) for i in range(5)]
        session = api.create_session("split", files)
        api.put_all(session, files)
        time.sleep(0.5)  # nobody ingests yet: the files wait as 'uploaded'
        assert count_files(data, database_url, "'uploaded'") == 5
        log = (data / "ingest.log").open("wb")
        cmd = [sys.executable, "-m", "vi_server", "serve", "--data-dir", str(data), "--role", "ingest",
               *store_args(database_url)]  # fmt: skip
        ingest = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        done = api.wait("split", session["assetIngestionSessionId"], timeout=60)
        assert done["status"]["progressCount"] == {"total": 5, "succeeded": 5, "errored": 0}
        assert {a["filename"] for a in api.list_all("split")} == {n for n, _ in files}
        # A second ingestion role on the same data dir is refused in one line.
        again = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert again.returncode == 2
        assert "another process already ingests" in again.stderr
        assert "Traceback" not in again.stderr
    finally:
        if ingest is not None:
            os.killpg(ingest.pid, signal.SIGTERM)
            assert ingest.wait(timeout=20) == 0
        server.stop()


@LINUX_PROC
def test_a_dead_worker_is_restarted_and_the_children_die_with_a_killed_supervisor(tmp_path: Path) -> None:
    server = RunningServer(tmp_path / "vi-data", "--workers", "2").start()
    assert server.proc is not None
    pid = server.proc.pid
    try:
        wait_for(lambda: len(worker_pids(server)) == 2 and len(worker_pids(server, "ingest")) == 1)
        first = worker_pids(server)
        os.kill(first[0], signal.SIGKILL)
        wait_for(lambda: worker_pids(server).get(0) not in (None, first[0]))
        api = Api(server.endpoint, server.org, server.key)
        api.create_dataset("r")
        for _ in range(6):  # both workers answer (fresh connections)
            assert httpx.get(f"{server.endpoint}/workspaces/{server.org}/datasets",
                             headers=api.http.headers).status_code == 200  # fmt: skip
        children = [*worker_pids(server).values(), *worker_pids(server, "ingest").values()]
        assert all(alive(c) for c in children)
        os.kill(pid, signal.SIGKILL)  # the supervisor only, not its process group
        server.proc.wait()
        wait_for(lambda: not any(alive(c) for c in children), timeout=15)
    finally:
        os.killpg(pid, signal.SIGKILL)
        server.proc = None


@LINUX_PROC
def test_sigterm_stops_every_child(tmp_path: Path) -> None:
    server = RunningServer(tmp_path / "vi-data", "--workers", "2").start()
    wait_for(lambda: len(worker_pids(server)) == 2 and len(worker_pids(server, "ingest")) == 1)
    children = [*worker_pids(server).values(), *worker_pids(server, "ingest").values()]
    assert server.proc is not None
    server.proc.send_signal(signal.SIGTERM)  # the supervisor only
    assert server.proc.wait(timeout=20) == 0
    assert not any(alive(c) for c in children)
    server.proc = None


# ---------------------------------------------------------------- acceptance: kill a worker mid-upload
@LINUX_PROC
@pytest.mark.parametrize(
    "database_url",
    [pytest.param(d, marks=[pytest.mark.slow] if d == "postgres" else []) for d in DATABASES],  # ~45 s there
    indirect=True,
)
def test_killing_one_of_two_http_workers_during_a_1000_file_upload_lands_every_file_once(
    tmp_path: Path, database_url: str | None
) -> None:
    folder = tmp_path / "images"
    expected = {f"img{i:04d}.jpg": write_image(folder / f"img{i:04d}.jpg", size=(32, 24), seed=i) for i in range(1000)}
    server = RunningServer(tmp_path / "vi-data", "--workers", "2", *store_args(database_url)).start()
    try:
        wait_for(lambda: len(worker_pids(server)) == 2)
        victim = worker_pids(server)[1]
        client = Client(config_file=server.data_dir / "credentials.json")
        api = Api(server.endpoint, server.org, server.key)
        api.create_dataset("kill")
        outcome: dict[str, Any] = {}

        def upload() -> None:
            try:
                outcome["result"] = client.assets.upload("kill", folder, show_progress=False)
            except BaseException as exc:  # reported by the assertion below
                outcome["error"] = exc

        thread = threading.Thread(target=upload)
        thread.start()

        def arrived() -> int:
            return count_files(server.data_dir, database_url, "'uploaded','ingesting','ingested'")

        wait_for(lambda: arrived() >= 200, timeout=120)
        os.kill(victim, signal.SIGKILL)  # mid-upload: PUTs in flight on it are cut
        killed_at = arrived()
        thread.join(timeout=300)
        assert not thread.is_alive()
        assert "error" not in outcome, outcome.get("error")
        result = outcome["result"]
        assert killed_at < 1000  # the kill did happen during the upload
        assert (result.total_files, result.total_succeeded, result.total_failed) == (1000, 1000, 0)
        assert result.failures == []
        assets = api.list_all("kill", contents="y")
        names = [a["filename"] for a in assets]
        assert len(names) == 1000
        assert sorted(names) == sorted(expected)
        for a in assets[::97]:  # a sample's bytes
            assert httpx.get(a["contents"]["asset"]["url"]).content == expected[a["filename"]]
        assert worker_pids(server)[1] != victim  # the supervisor restarted it
    finally:
        server.stop()
