"""Ingestion under storage faults, restarts and crashes; secrets at rest (issue 14.1, 14.2, 14.7, 14.8).

Unit level: the ingestor and the server state driven directly, with faults injected into the
bookkeeping. End to end: a server on a small tmpfs that fills up, a server killed with SIGKILL.
These stay on the local blob store: a full disk cannot be simulated for S3 (moto has no quota);
on S3 the same retry path handles S3 errors (`vi_server.s3_client.S3Error` is an ``OSError``,
tests/server/test_server_s3.py), and a SIGKILL mid-ingestion is tested there too.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sqlite3
import stat
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.images import image_bytes, write_image
from tests.helpers.server_harness import Api, RunningServer
from vi_ext import Client
from vi_server import assets_store, sessions
from vi_server.activity import SessionActivity
from vi_server.blobs import Digests
from vi_server.ingest import Ingestor
from vi_server.inspect_pool import Job, Outcome
from vi_server.serve import create_organization
from vi_server.state import ServerConfig, ServerState, now_ms
from vi_server.store import Conn

SOURCE = ("managed", "datature", "default")


def new_ingestor(tmp_path: Path, **config: Any) -> Ingestor:
    state = ServerState(ServerConfig(data_dir=tmp_path / "data", ingest_workers=1, **config))
    return Ingestor(state)


def stage(ingestor: Ingestor, files: list[tuple[str, bytes]], overwrite: str = "RemoveLinkedResource") -> str:
    """A session whose files' bytes have all arrived (as the storage PUT leaves them); its id."""
    state = ingestor.state
    spec = {"assets": [{"filename": n, "mime": "image/png", "size": len(d), "kind": "Image"} for n, d in files],
            "failureMode": "FailAfterAll", "onAssetOverwritten": overwrite}  # fmt: skip
    sid = sessions.create(state, "org", "ds", SOURCE, spec)
    with state.db.tx() as conn:
        for idx, (_, data) in enumerate(files):
            staged = state.blobs.new_staging_path()
            staged.write_bytes(data)
            digests = Digests()
            digests.update(data)
            received = {"size": len(data), "crc32c": digests.crc32c_signed(), "sha256": digests.sha256.hexdigest()}
            conn.execute(
                "UPDATE session_files SET state='uploaded', staged=?, received=? WHERE session_id=? AND idx=?",
                (str(staged), json.dumps(received), sid, idx),
            )
    return sid


def file_states(ingestor: Ingestor, sid: str) -> list[tuple[str, str | None, str | None]]:
    with ingestor.state.db.read() as conn:
        rows = conn.execute(
            "SELECT state, error_code, error_message FROM session_files WHERE session_id=? ORDER BY idx", (sid,)
        ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def asset(ingestor: Ingestor, filename: str) -> sqlite3.Row:
    with ingestor.state.db.read() as conn:
        row: sqlite3.Row = conn.execute("SELECT * FROM assets WHERE filename=?", (filename,)).fetchone()
    return row


def wait_for(predicate: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


# ---------------------------------------------------------------- 14.1 blob lifetime
def test_a_delete_between_inspection_and_recording_keeps_the_bytes(tmp_path: Path) -> None:
    ingestor = new_ingestor(tmp_path)
    state = ingestor.state
    data = image_bytes("png", (32, 24), seed=1)
    try:
        ingestor.ingest_batch([(stage(ingestor, [("old.png", data)]), 0)])
        old = asset(ingestor, "old.png")
        run = ingestor.pool.run

        def delete_old_meanwhile(jobs: Sequence[Job]) -> list[Outcome]:
            outcomes = run(jobs)  # inspected; not yet recorded
            with state.db.tx() as conn:
                assets_store.delete(conn, state.blobs, [old])
            return outcomes

        ingestor.pool.run = delete_old_meanwhile  # type: ignore[method-assign]
        ingestor.ingest_batch([(stage(ingestor, [("new.png", data)]), 0)])
        new = asset(ingestor, "new.png")
        assert state.blobs.path_of(new["sha256"]).read_bytes() == data
        assert state.blobs.path_of(new["thumb_sha256"]).exists()
        state.gc.sweep(now_ms() + 3_600_000)  # long after the grace period: still referenced, kept
        assert state.blobs.path_of(new["sha256"]).read_bytes() == data
        assert state.blobs.path_of(new["thumb_sha256"]).exists()
        with state.db.tx() as conn:
            assets_store.delete(conn, state.blobs, [new])
        assert state.gc.sweep(now_ms()) == 0  # within the grace period: kept for running downloads
        assert state.gc.sweep(now_ms() + 3_600_000) == 2  # then gone: nothing names them
        assert not state.blobs.path_of(new["sha256"]).exists()
    finally:
        ingestor.pool.close()


# ---------------------------------------------------------------- 14.2 storage failures
@contextmanager
def failing_commits(ingestor: Ingestor, count: int) -> Iterator[list[int]]:
    """The next ``count`` transactions fail at COMMIT as on a full disk (rolled back)."""
    real_tx = ingestor.state.db.tx
    left = [count]

    @contextmanager
    def tx() -> Iterator[Conn]:
        with real_tx() as conn:
            yield conn
            if left[0] > 0:
                left[0] -= 1
                raise sqlite3.OperationalError("database or disk is full")

    ingestor.state.db.tx = tx  # type: ignore[method-assign]
    try:
        yield left
    finally:
        ingestor.state.db.tx = real_tx  # type: ignore[method-assign]


def test_a_full_disk_never_kills_the_workers_and_files_complete_once_space_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingestor = new_ingestor(tmp_path, ingest_retry_seconds=0.05, sweep_interval_seconds=0.05)
    files = [(f"f{i}.png", image_bytes("png", (24, 16), seed=i)) for i in range(6)]
    sid = stage(ingestor, files)
    real_write = ingestor.state.blobs.write_staging
    writes = [0]

    def full_once(data: bytes) -> Path:  # the thumbnail cannot be written once
        writes[0] += 1
        if writes[0] == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(data)

    monkeypatch.setattr(ingestor.state.blobs, "write_staging", full_once)
    ingestor.start()
    try:
        with failing_commits(ingestor, 12) as left:
            for idx in range(len(files)):
                ingestor.enqueue(sid, idx)
            wait_for(lambda: left[0] == 0)
        wait_for(lambda: all(s == "ingested" for s, _, _ in file_states(ingestor, sid)))
        assert all(t.is_alive() for t in ingestor.threads)
        with ingestor.state.db.read() as conn:
            assert conn.execute("SELECT state FROM sessions WHERE session_id=?", (sid,)).fetchone()[0] == "finished"
        for name, data in files:
            assert ingestor.state.blobs.path_of(asset(ingestor, name)["sha256"]).read_bytes() == data
        later = stage(ingestor, [("later.png", image_bytes("png", seed=99))])
        ingestor.enqueue(later, 0)
        wait_for(lambda: file_states(ingestor, later) == [("ingested", None, None)])
    finally:
        ingestor.stop()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs (needs root and mount rights; skipped otherwise)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Fill the file system up to the last byte; return the filler file."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    try:
        for chunk in (1 << 20, 1 << 12, 1):
            try:
                while os.write(fd, b"\0" * chunk):
                    pass
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    return filler


def test_storage_puts_on_a_full_disk_get_507_and_uploads_work_again_once_space_returns(small_disk: Path) -> None:
    server = RunningServer(small_disk / "vi-data", "--ingestion-timeout", "120").start()
    try:
        api = Api(server.endpoint, server.org, server.key)
        api.create_dataset("full")
        files = [(f"f{i}.png", image_bytes("png", (64, 48), seed=i)) for i in range(4)]
        session = api.create_session("full", files)
        filler = fill(small_disk)
        for item in session["status"]["assets"]:
            upload = item["upload"]
            r = httpx.put(upload["url"], content=dict(files)[item["metadata"]["filename"]], headers=upload["headers"])
            assert r.status_code == 507, r.text
            assert "storage" in r.json()["message"]
        filler.unlink()
        api.put_all(session, files)  # the same signed URLs, once space is back
        done = api.wait("full", session["assetIngestionSessionId"])
        assert done["status"]["progressCount"] == {"total": 4, "succeeded": 4, "errored": 0}
        assert server.proc is not None
        assert server.proc.poll() is None
        more = [(f"g{i}.png", image_bytes("png", seed=50 + i)) for i in range(3)]
        assert api.upload("full", more)["status"]["progressCount"]["succeeded"] == 3
        for a in api.list_all("full", contents="y"):
            assert httpx.get(a["contents"]["asset"]["url"]).content == dict(files + more)[a["filename"]]
        # The SDK reports the 507 per file: room for the session, not for the file's bytes.
        folder = small_disk.parent / "sdk"
        write_image(folder / "big.png", size=(700, 700), seed=7)
        fill(small_disk)
        with filler.open("r+b") as f:
            f.truncate(filler.stat().st_size - (256 << 10))
        client = Client(config_file=server.data_dir / "credentials.json", max_retries=1, sleep=lambda _: None)
        result = client.assets.upload("full", folder, show_progress=False)
        (failure,) = result.failures
        assert failure.code == "UPLOAD_FAILED"
        assert "507" in failure.message
        assert "storage" in failure.message
    finally:
        server.stop()


def test_uploads_racing_a_filling_disk_never_leave_a_session_open(small_disk: Path) -> None:
    # Whatever fails while the disk is full (session creation, PUT, ingestion bookkeeping), every
    # session that got its bytes ends, and the server works again without a restart.
    server = RunningServer(small_disk / "vi-data", "--ingestion-timeout", "120").start()
    try:
        api = Api(server.endpoint, server.org, server.key)
        api.create_dataset("race")
        filler = small_disk / "filler"
        accepted: list[str] = []
        for n, room in enumerate((0, 4096, 65536, 262144, 1 << 20)):
            filler.unlink(missing_ok=True)
            fill(small_disk)
            with filler.open("r+b") as f:  # leave `room` bytes free
                f.truncate(max(0, filler.stat().st_size - room))
            files = [(f"r{n}/{i}.png", image_bytes("png", (64, 48), seed=100 * n + i)) for i in range(4)]
            r = api.http.post(f"{api.ds('race')}/assetSources/managed/datature/default/assetIngestionSessions",
                              json={"spec": {"kind": "Upload", "failureMode": "FailAfterAll",
                                             "onAssetOverwritten": "RemoveLinkedResource",
                                             "assets": [{"filename": f, "mime": "image/png", "size": len(d),
                                                         "kind": "Image"} for f, d in files]}})  # fmt: skip
            assert r.status_code in (201, 507), r.text
            if r.status_code != 201:
                continue
            session = r.json()
            for item in session["status"]["assets"]:
                upload = item["upload"]
                data = dict(files)[item["metadata"]["filename"]]
                put = httpx.put(upload["url"], content=data, headers=upload["headers"])
                assert put.status_code in (200, 507), put.text
            accepted.append(session["assetIngestionSessionId"])
        filler.unlink()
        for sid in accepted:  # files whose bytes arrived finish once space is back; none stays 'ingesting'
            body = api.http.get(f"{api.ds('race')}/assetSources/managed/datature/default/assetIngestionSessions/{sid}")
            counts = body.json()["status"]["progressCount"]
            assert counts["total"] == 4
        more = [(f"after/{i}.png", image_bytes("png", seed=900 + i)) for i in range(3)]
        assert api.upload("race", more)["status"]["progressCount"]["succeeded"] == 3
        with sqlite3.connect(small_disk / "vi-data" / "vi.sqlite3") as conn:
            wait_for(
                lambda: conn.execute("SELECT COUNT(*) FROM session_files WHERE state='ingesting'").fetchone()[0] == 0
            )
            wait_for(
                lambda: conn.execute("SELECT COUNT(*) FROM session_files WHERE state='uploaded'").fetchone()[0] == 0
            )
    finally:
        server.stop()


# ---------------------------------------------------------------- 14.7 crashes and dead clients
def children_of(pid: int) -> set[int]:
    """Pids whose parent is ``pid`` (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the worker processes")
def test_workers_die_when_the_server_is_killed(tmp_path: Path) -> None:
    server = RunningServer(tmp_path / "vi-data").start()
    assert server.proc is not None
    pid = server.proc.pid
    try:
        api = Api(server.endpoint, server.org, server.key)
        api.create_dataset("k")
        assert api.upload("k", [("a.png", image_bytes("png", seed=1))])["status"]["progressCount"]["succeeded"] == 1
        workers = children_of(pid)
        assert len(workers) >= 2, workers  # two inspection workers (and multiprocessing's helper)
        os.kill(pid, signal.SIGKILL)  # the server only, not its process group
        server.proc.wait()
        wait_for(lambda: not any(alive(w) for w in workers), timeout=10)
    finally:
        for w in children_of(pid):
            os.kill(w, signal.SIGKILL)
        server.proc = None
    again = server.start()  # a clean restart on the same data
    try:
        assert Api(again.endpoint, again.org, again.key).list_all("k")[0]["filename"] == "a.png"
    finally:
        again.stop()


def test_a_restart_fails_files_whose_staged_bytes_are_gone_with_a_true_code_and_no_path(tmp_path: Path) -> None:
    ingestor = new_ingestor(tmp_path)
    good, lost = image_bytes("png", seed=1), image_bytes("png", seed=2)
    sid = stage(ingestor, [("good.png", good), ("lost.png", lost)])
    with ingestor.state.db.tx() as conn:  # as a crash mid-ingestion leaves them
        conn.execute("UPDATE session_files SET state='ingesting' WHERE session_id=?", (sid,))
        staged = conn.execute("SELECT staged FROM session_files WHERE session_id=? AND idx=1", (sid,)).fetchone()[0]
    Path(staged).unlink()
    ingestor.start()
    try:
        wait_for(lambda: all(s in ("ingested", "error") for s, _, _ in file_states(ingestor, sid)))
        (good_state, lost_state) = file_states(ingestor, sid)
        assert good_state == ("ingested", None, None)
        assert lost_state[:2] == ("error", "EUNKNOWN")
        assert "lost" in (lost_state[2] or "")
        assert str(tmp_path) not in (lost_state[2] or "")
        assert "/" not in (lost_state[2] or "")
    finally:
        ingestor.stop()


def test_interrupted_staging_files_are_cleaned_on_start(tmp_path: Path) -> None:
    ingestor = new_ingestor(tmp_path)
    sid = stage(ingestor, [("waiting.png", image_bytes("png", seed=3))])
    staging = ingestor.state.blobs.staging
    leftovers = [staging / "0123abcd", staging / "part-deadbeef-1"]  # a cut PUT; a part of no open upload
    for path in leftovers:
        path.write_bytes(b"partial")
    ingestor.start()
    try:
        assert not any(p.exists() for p in leftovers)
        wait_for(lambda: file_states(ingestor, sid) == [("ingested", None, None)])  # the waiting file was kept
    finally:
        ingestor.stop()


def test_a_session_whose_client_went_quiet_is_closed_with_its_unsent_files_reported(tmp_path: Path) -> None:
    server = RunningServer(tmp_path / "vi-data", "--ingestion-timeout", "3600", "--session-idle-timeout", "2").start()
    try:
        api = Api(server.endpoint, server.org, server.key)
        api.create_dataset("idle")
        files = [(f"{i}.png", image_bytes("png", seed=i)) for i in range(3)]
        session = api.create_session("idle", files)
        api.put_all(session, files[:1])  # then the client dies
        started = time.monotonic()
        done = api.wait("idle", session["assetIngestionSessionId"], timeout=20)
        assert time.monotonic() - started < 15
        assert done["status"]["progressCount"] == {"total": 3, "succeeded": 1, "errored": 2}
        (errors,) = [e for e in done["status"]["events"] if e["kind"] == "Error"]
        assert errors["files"] == {"1.png": "ETIMEOUT", "2.png": "ETIMEOUT"}
        assert "no upload arrived" in errors["corrections"]["1.png"]
    finally:
        server.stop()


def test_a_session_with_a_put_in_flight_is_not_idle() -> None:
    activity = SessionActivity()
    assert activity.last_seen("s") is None
    entered, release = threading.Event(), threading.Event()

    def long_put() -> None:
        with activity.receiving("s"):
            entered.set()
            release.wait()

    worker = threading.Thread(target=long_put)
    worker.start()
    entered.wait()
    time.sleep(0.2)
    seen = activity.last_seen("s")
    assert seen is not None
    assert seen >= time.time() - 0.05  # "now" while a PUT runs, however long it takes
    release.set()
    worker.join()
    with sqlite3.connect(":memory:") as conn:
        conn.row_factory = sqlite3.Row
        conn.executescript(
            "CREATE TABLE sessions (session_id, created, state, reason, finished, updated, generation);"
            "CREATE TABLE session_files (session_id, state, updated, error_code, error_message);"
            "CREATE TABLE multipart_uploads (session_id, state, updated, generation);"
            "INSERT INTO sessions VALUES ('s', 0, 'open', NULL, NULL, 0, 1);"
            "INSERT INTO session_files VALUES ('s', 'pending', 0, NULL, NULL);"
        )
        busy = {"s": time.time()}
        assert sessions.close_idle(conn, now_ms(), 1000, busy.get) == []
        assert sessions.close_idle(conn, now_ms(), 1000, lambda _: None) == ["s"]
        assert conn.execute("SELECT state, reason FROM sessions").fetchone()[:] == ("finished", "TimedOut")


# ---------------------------------------------------------------- 14.8 secrets at rest
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def permissive_umask() -> Iterator[None]:
    old = os.umask(0)  # the worst case: without explicit modes everything would be world-readable
    try:
        yield
    finally:
        os.umask(old)


def test_the_data_dir_database_and_credentials_are_private_from_creation(tmp_path: Path) -> None:
    with permissive_umask():
        state = ServerState(ServerConfig(data_dir=tmp_path / "a" / "data"))
        with state.db.tx() as conn:
            conn.execute("INSERT INTO orgs VALUES ('o', 'h', 0)")
        assert mode(tmp_path / "a" / "data") == 0o700
        for name in ("vi.sqlite3", "vi.sqlite3-wal", "vi.sqlite3-shm"):
            assert mode(tmp_path / "a" / "data" / name) == 0o600, name
        state.db.close()
        create_organization(tmp_path / "b")
        assert mode(tmp_path / "b") == 0o700
        assert mode(tmp_path / "b" / "vi.sqlite3") == 0o600
    server = RunningServer(tmp_path / "c").start()
    try:
        assert mode(tmp_path / "c") == 0o700
        assert mode(tmp_path / "c" / "credentials.json") == 0o600
        assert mode(tmp_path / "c" / "vi.sqlite3") == 0o600
        assert not (tmp_path / "c" / "credentials.json.tmp").exists()
    finally:
        server.stop()


def test_an_old_world_readable_database_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "old"
    data.mkdir()
    sqlite3.connect(data / "vi.sqlite3").close()
    os.chmod(data / "vi.sqlite3", 0o644)
    ServerState(ServerConfig(data_dir=data)).db.close()
    assert mode(data / "vi.sqlite3") == 0o600
