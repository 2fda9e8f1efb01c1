"""Issue 14.4: requests are bounded — slow headers and stalled bodies are disconnected, oversized
bodies are 413 before they are read, and a large body never stalls other requests."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.helpers.server_harness import SOURCE, Api, RunningServer

HEADER_TIMEOUT = 1.5
BODY_TIMEOUT = 1.5


@pytest.fixture
def guarded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningServer]:
    monkeypatch.setenv("VI_SERVER_HEADER_TIMEOUT", str(HEADER_TIMEOUT))
    monkeypatch.setenv("VI_SERVER_BODY_TIMEOUT", str(BODY_TIMEOUT))
    monkeypatch.setenv("VI_SERVER_MAX_JSON_BODY_BYTES", "100000")
    monkeypatch.setenv("VI_SERVER_MAX_SESSION_BODY_BYTES", "200000")
    running = RunningServer(tmp_path / "vi-data").start()
    yield running
    running.stop()


def _connect(endpoint: str) -> socket.socket:
    parts = urlsplit(endpoint)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_half_header_sockets_are_closed_and_others_are_served(guarded: RunningServer) -> None:
    api = Api(guarded.endpoint, guarded.org, guarded.key)
    slow = []
    for _ in range(200):
        sock = _connect(guarded.endpoint)
        sock.sendall(b"GET /workspaces/x/datasets HTTP/1.1\r\nHost: loc")  # half a header line, then nothing
        slow.append(sock)
    silent = [_connect(guarded.endpoint) for _ in range(20)]  # accepted, never a byte
    started = time.monotonic()
    # While they hang, others are served.
    assert api.http.get(f"/workspaces/{api.org}/datasets").status_code == 200
    # Every slow socket is closed by the server within the header timeout (plus slack).
    for sock in slow + silent:
        assert _closed_by_server(sock, HEADER_TIMEOUT + 5 - (time.monotonic() - started))
        sock.close()
    assert time.monotonic() - started < HEADER_TIMEOUT + 5
    assert api.http.get(f"/workspaces/{api.org}/datasets").status_code == 200


def test_a_trickled_header_is_cut_at_the_deadline(guarded: RunningServer) -> None:
    sock = _connect(guarded.endpoint)
    started = time.monotonic()
    closed = False
    for byte in b"GET /workspaces/x/datasets HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 100:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            closed = True
            break
        time.sleep(0.1)  # every byte resets nothing: the head has one deadline
        if time.monotonic() - started > HEADER_TIMEOUT + 3:
            break
    assert closed or _closed_by_server(sock, 2)
    assert time.monotonic() - started < HEADER_TIMEOUT + 4
    sock.close()


def test_keep_alive_between_requests_is_not_cut_by_the_header_timeout(guarded: RunningServer) -> None:
    api = Api(guarded.endpoint, guarded.org, guarded.key)
    with httpx.Client(base_url=guarded.endpoint, headers=api.http.headers) as client:
        assert client.get(f"/workspaces/{api.org}/datasets").status_code == 200
        time.sleep(HEADER_TIMEOUT + 0.5)  # idle keep-alive: uvicorn's 30 s keep-alive applies
        assert client.get(f"/workspaces/{api.org}/datasets").status_code == 200


def test_a_stalled_body_is_disconnected(guarded: RunningServer) -> None:
    api = Api(guarded.endpoint, guarded.org, guarded.key)
    sock = _connect(guarded.endpoint)
    head = (
        f"POST /workspaces/{api.org}/datasets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {api.key}\r\n"
        f"Organization-Id: {api.org}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    sock.sendall(head.encode() + b'{"name": "stalled"')
    assert _closed_by_server(sock, BODY_TIMEOUT + 5)
    sock.close()


def test_an_oversized_body_is_413_before_it_is_read(guarded: RunningServer) -> None:
    api = Api(guarded.endpoint, guarded.org, guarded.key)
    sock = _connect(guarded.endpoint)
    head = (
        f"POST /workspaces/{api.org}/datasets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {api.key}\r\n"
        f"Organization-Id: {api.org}\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n"
    )
    sock.sendall(head.encode())  # declares 1 GB, sends none of it
    sock.settimeout(5)
    answer = b""
    while b"FileTooLarge" not in answer and (data := sock.recv(65536)):
        answer += data
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"FileTooLarge" in answer
    sock.close()


def test_an_oversized_chunked_body_is_413(guarded: RunningServer) -> None:
    api = Api(guarded.endpoint, guarded.org, guarded.key)

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(100):
            yield b"x" * 10_000

    r = api.http.post(f"/workspaces/{api.org}/datasets", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["status"] == 413
    # The session route has its own, larger limit.
    dataset = f"big-{uuid.uuid4().hex[:6]}"
    api.create_dataset(dataset)
    assets = [{"filename": f"f{i:05}.png", "mime": "image/png", "size": 10, "kind": "Image",
               "customMetadata": {"note": "n" * 40}} for i in range(1000)]  # fmt: skip
    spec: dict[str, Any] = {"kind": "Upload", "failureMode": "FailAfterAll", "onAssetOverwritten": "RemoveLinkedResource",
                            "assets": assets}  # fmt: skip
    sessions = f"{api.ds(dataset)}/{SOURCE}/assetIngestionSessions"
    assert (
        api.http.post(sessions, json={"spec": spec}).status_code == 201
    )  # ~130 kB: over the JSON limit, under this one
    spec["assets"] = assets * 2
    assert api.http.post(sessions, json={"spec": spec}).status_code == 413


def test_a_filtered_listing_does_not_hold_the_database_lock_while_filtering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from vi_server import assets_store, handlers_core, views
    from vi_server.assets_store import NewContents
    from vi_server.db import Database
    from vi_server.handlers_core import CoreHandlers
    from vi_server.spec_router import Call
    from vi_server.state import ServerConfig, ServerState

    state = ServerState(ServerConfig(data_dir=tmp_path))
    with state.db.tx() as conn:
        conn.execute(
            "INSERT INTO datasets (org_id, dataset_id, name, description, type, content, localization,"
            " data_localization, status, tags, created, generation) VALUES ('org','ds','ds','','t','Image','l','l',0,'{}',0,1)"
        )
        for i in range(1200):
            new = NewContents(f"f{i:05}.png", "Image", "image/png", 10, 1, 1, 1, "sha", "thumb", {})
            assets_store.upsert(conn, "org", "ds", new, False, i)
    free_while_filtering: list[bool] = []
    real_view = views.asset_view

    def view_probing_the_lock(row: Any, contents: Any = None) -> Any:
        import threading

        got: list[bool] = []

        def try_lock() -> None:
            assert isinstance(state.db, Database)  # the SQLite store's in-process lock
            acquired = state.db._lock.acquire(timeout=0.05)
            got.append(acquired)
            if acquired:
                state.db._lock.release()

        probe = threading.Thread(target=try_lock)
        probe.start()
        probe.join()
        free_while_filtering.append(got[0])
        return real_view(row, contents)

    monkeypatch.setattr(handlers_core, "asset_view", view_probing_the_lock)
    core = CoreHandlers(state)
    request = SimpleNamespace(base_url="http://x/")
    for query in ({"filter": '{"filename": "nothing-matches"}'}, {"ruleQuery": "fileSize > 100"}):
        call = Call(None, request, {"datasetId": "org_ds"}, query, org_id="org")  # type: ignore[arg-type]
        free_while_filtering.clear()
        assert core.list_assets(call).status_code == 200
        assert len(free_while_filtering) == 1200  # every asset was filtered (no match: a full scan) ...
        assert all(free_while_filtering)  # ... and the lock was free each time
    free_while_filtering.clear()
    call = Call(None, request, {"datasetId": "org_ds"}, {"filter": '{"filename": "f00"}'}, org_id="org")  # type: ignore[arg-type]
    assert core.count_assets(call).body == b'{"count":1000}'
    assert len(free_while_filtering) == 1200
    assert all(free_while_filtering)
    state.db.close()


def test_an_oversized_storage_put_is_413_before_it_is_read(guarded: RunningServer) -> None:
    api = Api(guarded.endpoint, guarded.org, guarded.key)
    dataset = f"put-{uuid.uuid4().hex[:6]}"
    api.create_dataset(dataset)
    session = api.create_session(dataset, [("a.png", b"x" * 100)])
    url = urlsplit(session["status"]["assets"][0]["upload"]["url"])
    sock = _connect(guarded.endpoint)
    head = f"PUT {url.path}?{url.query} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"
    sock.sendall(head.encode())  # declares 1 GB, sends none of it
    sock.settimeout(5)
    answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    sock.close()
