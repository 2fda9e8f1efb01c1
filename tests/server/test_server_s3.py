"""The blob store on S3 (issue 18): arrival discovery, multipart, object lifetime, staging sweep, restarts.

These run on the first S3 backend of ``$VI_TEST_BACKENDS`` (moto on loopback) and look into its
bucket; with no S3 backend selected they are skipped with that reason. moto checks no signatures
and no expiry, so nothing here is about URL security (that stays on the local store).
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from tests.helpers.images import image_bytes
from tests.helpers.s3_bucket import Bucket, bucket_of, eventually
from tests.helpers.server_harness import SOURCE, Api, RunningServer
from tests.server.conftest import start_on
from vi_server import sessions
from vi_server.ingest import Ingestor
from vi_server.s3_arrivals import MAX_FETCH_ATTEMPTS, Arrivals, StagedFile, plan_multiparts, plan_staging
from vi_server.s3_blobs import S3BlobStore
from vi_server.s3_client import Listed, PendingMultipart, S3Error
from vi_server.state import ServerConfig, ServerState
from vi_server.testing.backends import Backend, BackendServices, selected_backends
from vi_server.testing.s3 import S3_TEST_ENV


@pytest.fixture(scope="module")
def s3_backend(backend_services: BackendServices) -> Backend:
    """The first selected backend that keeps blobs in S3 (skipped when none is, or it cannot start)."""
    chosen = next((b for b in selected_backends() if b.blobs == "s3"), None)
    if chosen is None:
        pytest.skip("no S3 backend in $VI_TEST_BACKENDS (e.g. VI_TEST_BACKENDS=sqlite-s3)")
    reason = backend_services.unavailable_reason(chosen)
    if reason:
        pytest.skip(f"backend {chosen.name} skipped: {reason}")
    return chosen


@pytest.fixture
def s3_server(tmp_path: Path, s3_backend: Backend, backend_services: BackendServices) -> Iterator[RunningServer]:
    """A server of its own on S3, with short timeouts and small multipart parts."""
    running = start_on(s3_backend, backend_services, tmp_path / "vi-data",
                       "--ingestion-timeout", "3", "--multipart-part-size", "40000")  # fmt: skip
    yield running
    running.stop()


def _api(server: RunningServer) -> tuple[Api, Bucket, str]:
    api = Api(server.endpoint, server.org, server.key)
    bucket = bucket_of(server)
    assert bucket is not None
    dataset = "s3-" + uuid.uuid4().hex[:8]
    api.create_dataset(dataset)
    return api, bucket, dataset


def _errors(session: dict[str, Any]) -> dict[str, str]:
    return {k: v for e in session["status"]["events"] if e["kind"] == "Error" for k, v in e["files"].items()}


def _blob(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------- decisions
def test_plan_staging_fetches_waiting_files_keeps_busy_ones_and_deletes_the_rest() -> None:
    objects = {u: Listed(f"p/staging/{u}", size, 0.0) for u, size in
               [("wait", 10), ("big", 10 + (2 << 20)), ("busy", 10), ("done", 10), ("gone", 10), ("again", 10)]}  # fmt: skip
    files = {"wait": StagedFile("s", 0, "pending", 10), "big": StagedFile("s", 1, "pending", 10),
             "busy": StagedFile("s", 2, "ingesting", 10), "done": StagedFile("s", 3, "ingested", 10),
             "again": StagedFile("s", 5, "pending", 10)}  # fmt: skip
    plan = plan_staging(objects, files, fetching={"again"})
    assert [o.key for o, _ in plan.fetch] == ["p/staging/wait"]
    assert [o.key for o, _ in plan.oversize] == ["p/staging/big"]
    assert sorted(plan.delete) == ["p/staging/done", "p/staging/gone"]


def test_plan_multiparts_aborts_closed_and_old_unknown_uploads_only() -> None:
    uploads = [PendingMultipart("k", "open", 999.0), PendingMultipart("k", "closed", 0.0),
               PendingMultipart("k", "young-unknown", 1.0), PendingMultipart("k", "old-unknown", 999.0)]  # fmt: skip
    aborted = plan_multiparts(uploads, still_open={"open"}, known={"open", "closed"})
    assert [u.upload_id for u in aborted] == ["closed", "old-unknown"]


# ---------------------------------------------------------------------------------------------- end to end
def test_uploads_are_discovered_checked_like_local_ones_and_staging_is_emptied(s3_server: RunningServer) -> None:
    api, bucket, dataset = _api(s3_server)
    good, bad_crc, short = (image_bytes("png", (40, 30), seed=s) for s in (301, 302, 303))
    files = [("good.png", good), ("badcrc.png", bad_crc), ("short.png", short)]
    session = api.create_session(dataset, files, declared={"badcrc.png": {"crc32c": 12345},
                                                           "short.png": {"size": len(short) + 7}})  # fmt: skip
    uploads = {a["metadata"]["filename"]: a["upload"] for a in session["status"]["assets"]}
    assert all(u["url"].startswith(bucket.endpoint) for u in uploads.values())  # presigned by the store itself
    assert uploads["good.png"]["headers"] == {"Content-Type": "image/png"}
    api.put_all(session, files)
    final = api.wait(api_ds := dataset, session["assetIngestionSessionId"])
    # S3 (and moto) check no crc32c and no declared size: the server's own checks still do.
    assert _errors(final) == {"badcrc.png": "ECORRUPT", "short.png": "EBADSIZE"}
    (asset,) = api.list_all(api_ds, contents="y")
    download = httpx.get(asset["contents"]["asset"]["url"])
    assert download.content == good
    assert download.headers["content-type"] == "image/png"
    assert httpx.get(asset["contents"]["thumbnail"]["url"]).headers["content-type"] == "image/jpeg"
    assert asset["contents"]["asset"]["url"].startswith(bucket.endpoint)
    assert eventually(lambda: bucket.keys("staging") == [])
    assert _blob(good) in bucket.blob_hashes()
    assert _blob(bad_crc) not in bucket.blob_hashes()


def test_multipart_on_s3_round_trips_and_aborts_release_the_parts(s3_server: RunningServer) -> None:
    api, bucket, dataset = _api(s3_server)
    data = image_bytes("png", (300, 200), seed=304)
    other = image_bytes("png", (300, 200), seed=305)
    session = api.create_session(dataset, [("mp/big.png", data), ("mp/dropped.png", other)])
    base = f"{api.ds(dataset)}/{SOURCE}/multipartUploads"

    def start(name: str, body: bytes) -> tuple[str, int]:
        r = api.http.post(base, json={"spec": {"ingestionId": session["ingestionId"], "filename": name,
                                               "contentType": "image/png", "sizeBytes": len(body)}})  # fmt: skip
        assert r.status_code == 201, r.text
        return f"{base}/{r.json()['multipartUploadId']}", r.json()["status"]["partCount"]

    mp, n = start("mp/big.png", data)
    assert n > 1
    step = len(data) // n
    for part in range(1, n + 1):
        signed = api.http.post(f"{mp}/parts/{part}", json={}).json()
        assert signed["url"].startswith(bucket.endpoint)
        assert signed["responseHeaders"] == ["ETag"]
        chunk = data[step * (part - 1) : (len(data) if part == n else step * part)]
        put = httpx.put(signed["url"], content=iter([chunk]))  # chunked, no Content-Length: as the official client
        assert put.status_code == 200, put.text
        done = {"responseHeaders": {"ETag": put.headers["etag"]}}
        assert api.http.post(f"{mp}/parts/{part}/completion", json=done).status_code == 200
    dropped, _ = start("mp/dropped.png", other)
    assert len(bucket.multipart_uploads()) == 2
    assert api.http.delete(dropped).status_code == 204  # AbortMultipartUpload
    assert len(bucket.multipart_uploads()) == 1
    assert api.http.post(f"{mp}/completion").status_code == 200  # CompleteMultipartUpload
    assert bucket.multipart_uploads() == []
    assert api.http.post(f"{api.ds(dataset)}/{SOURCE}/assetIngestionSessions/"
                         f"{session['assetIngestionSessionId']}:cancel").status_code == 200  # fmt: skip
    final = api.wait(dataset, session["assetIngestionSessionId"])
    # The cancel came after the completion: big.png may already be ingested, or be reported cancelled.
    assets = api.list_all(dataset, contents="y")
    assert [a["filename"] for a in assets] in ([], ["mp/big.png"])
    if assets:
        assert httpx.get(assets[0]["contents"]["asset"]["url"]).content == data
    assert final["status"]["progressCount"]["total"] == 2
    assert eventually(lambda: bucket.keys("staging") == [])


def test_a_cancelled_session_aborts_its_open_multipart_uploads(s3_server: RunningServer) -> None:
    api, bucket, dataset = _api(s3_server)
    data = image_bytes("png", (300, 200), seed=306)
    session = api.create_session(dataset, [("mp/c.png", data)])
    r = api.http.post(f"{api.ds(dataset)}/{SOURCE}/multipartUploads",
                      json={"spec": {"ingestionId": session["ingestionId"], "filename": "mp/c.png",
                                     "contentType": "image/png", "sizeBytes": len(data)}})  # fmt: skip
    assert r.status_code == 201, r.text
    assert len(bucket.multipart_uploads()) == 1
    sid = session["assetIngestionSessionId"]
    assert api.http.post(f"{api.ds(dataset)}/{SOURCE}/assetIngestionSessions/{sid}:cancel").status_code == 200
    assert bucket.multipart_uploads() == []


def test_replaced_objects_are_deleted_only_when_no_asset_refers_to_them(s3_server: RunningServer) -> None:
    api, bucket, dataset = _api(s3_server)
    shared, fresh = image_bytes("png", (30, 20), seed=307), image_bytes("png", (30, 20), seed=308)
    api.upload(dataset, [("a.png", shared), ("b.png", shared)])
    assert _blob(shared) in bucket.blob_hashes()
    api.upload(dataset, [("a.png", fresh)])  # a.png drops its reference; b.png still names the bytes
    time.sleep(6.5)  # past the collector's grace (5 s)
    assert {_blob(shared), _blob(fresh)} <= bucket.blob_hashes()
    (b,) = [a for a in api.list_all(dataset, contents="y") if a["filename"] == "b.png"]
    assert httpx.get(b["contents"]["asset"]["url"]).content == shared
    assert api.http.delete(f"{api.ds(dataset)}/assets/{b['assetId']}").status_code == 204
    assert eventually(lambda: _blob(shared) not in bucket.blob_hashes(), timeout=15)
    assert _blob(fresh) in bucket.blob_hashes()
    assert {a["metadata"]["hash"]["contents"] for a in api.list_all(dataset)} == {_blob(fresh)}


def test_leftovers_in_staging_are_swept(s3_server: RunningServer) -> None:
    api, bucket, dataset = _api(s3_server)
    data = image_bytes("png", (30, 20), seed=309)
    session = api.create_session(dataset, [("late.png", data)])
    final = api.wait(dataset, session["assetIngestionSessionId"], timeout=20)  # times out after 3 s
    assert _errors(final) == {"late.png": "ETIMEOUT"}
    upload = session["status"]["assets"][0]["upload"]
    assert httpx.put(upload["url"], content=data, headers=upload["headers"]).status_code == 200
    bucket.client.put_object(Bucket=bucket.name, Key=f"{bucket.prefix}/staging/stray", Body=b"x")
    assert eventually(lambda: bucket.keys("staging") == [])
    assert api.list_all(dataset) == []


@pytest.fixture
def patient_s3_server(
    tmp_path: Path, s3_backend: Backend, backend_services: BackendServices
) -> Iterator[RunningServer]:
    """A server of its own on S3 whose sessions outlive a restart."""
    running = start_on(s3_backend, backend_services, tmp_path / "vi-data", "--ingestion-timeout", "120")
    yield running
    running.stop()


def test_files_uploaded_while_the_server_is_down_are_ingested_after_the_restart(
    patient_s3_server: RunningServer,
) -> None:
    s3_server = patient_s3_server
    api, bucket, dataset = _api(s3_server)
    files = [(f"r/{i}.png", image_bytes("png", (30, 20), seed=310 + i)) for i in range(12)]
    session = api.create_session(dataset, files)
    api.put_all(session, files[:6])
    assert s3_server.proc is not None  # killed mid-ingestion: some files ingested, some staged, some not fetched
    os.killpg(s3_server.proc.pid, signal.SIGKILL)
    s3_server.proc.wait()
    s3_server.proc = None
    api.put_all(session, files[6:])  # the object store takes them while the server is down
    s3_server.start()
    api = Api(s3_server.endpoint, s3_server.org, s3_server.key)
    final = api.wait(dataset, session["assetIngestionSessionId"], timeout=30)
    assert final["status"]["progressCount"] == {"total": 12, "succeeded": 12, "errored": 0}, _errors(final)
    assert sorted(a["filename"] for a in api.list_all(dataset)) == sorted(n for n, _ in files)
    assert eventually(lambda: bucket.keys("staging") == [])


# ---------------------------------------------------------------------------------------------- S3 errors
def _staged_in_s3(
    tmp_path: Path, backend: Backend, services: BackendServices, monkeypatch: pytest.MonkeyPatch, data: bytes
) -> tuple[ServerState, S3BlobStore, str, list[str]]:
    """Server state on a fresh bucket, and a session of two files whose bytes are in staging."""
    options = services.server_options(backend)
    for name, value in options.env.items():
        monkeypatch.setenv(name, value)
    args = dict(zip(options.args[::2], options.args[1::2], strict=True))
    state = ServerState(ServerConfig(data_dir=tmp_path / "data", blob_url=args["--blob-url"],
                                     s3_endpoint=args["--s3-endpoint"], ingest_workers=1))  # fmt: skip
    store = state.blobs
    assert isinstance(store, S3BlobStore)
    spec = {"assets": [{"filename": n, "mime": "image/png", "size": len(data), "kind": "Image"} for n in "ab"],
            "failureMode": "FailAfterAll", "onAssetOverwritten": "RemoveLinkedResource"}  # fmt: skip
    sid = sessions.create(state, "org", "ds", ("managed", "datature", "default"), spec)
    with state.db.read() as conn:
        query = "SELECT upload_id FROM session_files WHERE session_id=? ORDER BY idx"
        ids = [r[0] for r in conn.execute(query, (sid,))]
    s3 = boto3.client("s3", endpoint_url=args["--s3-endpoint"], region_name=S3_TEST_ENV["AWS_DEFAULT_REGION"])
    for upload_id in ids:
        s3.put_object(Bucket=store.client.bucket, Key=store.staging_key(upload_id), Body=data)
    return state, store, sid, ids


def test_s3_errors_while_recording_are_retried_until_the_files_land(
    tmp_path: Path, s3_backend: Backend, backend_services: BackendServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = image_bytes("png", (20, 10), seed=321)
    state, store, sid, _ = _staged_in_s3(tmp_path, s3_backend, backend_services, monkeypatch, data)
    real = store.client.copy
    failures = {"left": 3}

    def flaky(source: str, key: str) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise S3Error("S3 copy failed: service unavailable", "ServiceUnavailable")
        real(source, key)

    def landed() -> bool:
        with state.db.read() as conn:
            states = [r[0] for r in conn.execute("SELECT state FROM session_files WHERE session_id=?", (sid,))]
        return states == ["ingested", "ingested"]

    monkeypatch.setattr(store.client, "copy", flaky)
    ingestor = Ingestor(state)
    ingestor.start()
    try:
        assert eventually(landed, timeout=30)
    finally:
        ingestor.stop()
        state.db.close()
    assert failures["left"] == 0
    assert store.exists(hashlib.sha256(data).hexdigest())
    assert eventually(lambda: store.client.list_objects(store.staging_prefix(), 10) == [])


def test_a_fetch_that_keeps_failing_is_retried_then_reported_for_that_file(
    tmp_path: Path, s3_backend: Backend, backend_services: BackendServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = image_bytes("png", (20, 10), seed=320)
    state, store, sid, ids = _staged_in_s3(tmp_path, s3_backend, backend_services, monkeypatch, data)
    real = store.client.download
    calls: dict[str, int] = {}

    def flaky(key: str, target: Path, size: int) -> None:
        calls[key] = calls.get(key, 0) + 1
        if key.endswith(ids[0]) or calls[key] <= 2:  # "a" never comes back; "b" fails twice
            raise S3Error("S3 download failed: connection reset", "RequestTimeout")
        real(key, target, size)

    monkeypatch.setattr(store.client, "download", flaky)
    queued: list[tuple[str, int]] = []
    arrivals = Arrivals(state, store, lambda s, i: queued.append((s, i)))
    try:
        for _ in range(MAX_FETCH_ATTEMPTS + 2):
            arrivals.tick()
            assert eventually(lambda: not arrivals._fetching, timeout=5)
    finally:
        arrivals.close()
    with state.db.read() as conn:
        rows = {r["idx"]: r for r in conn.execute("SELECT * FROM session_files WHERE session_id=?", (sid,))}
    assert calls[store.staging_key(ids[0])] == MAX_FETCH_ATTEMPTS
    assert (rows[0]["state"], rows[0]["error_code"]) == ("error", "EUNKNOWN")
    assert "object store" in rows[0]["error_message"]
    assert rows[1]["state"] == "uploaded"
    assert queued == [(sid, 1)]
    assert Path(rows[1]["staged"]).read_bytes() == data
    state.db.close()


def test_a_second_fetch_of_a_recorded_upload_leaves_its_staged_file_alone(
    tmp_path: Path, s3_backend: Backend, backend_services: BackendServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tick that read the file as still waiting just before another fetch recorded it fetches again.
    data = image_bytes("png", (20, 10), seed=322)
    state, store, sid, ids = _staged_in_s3(tmp_path, s3_backend, backend_services, monkeypatch, data)
    queued: list[tuple[str, int]] = []
    arrivals = Arrivals(state, store, lambda s, i: queued.append((s, i)))
    try:
        waiting = StagedFile(sid, 0, "pending", len(data))
        arrivals._fetch(ids[0], waiting, len(data))
        arrivals._fetch(ids[0], waiting, len(data))  # the stale one
    finally:
        arrivals.close()
    assert queued == [(sid, 0)]
    assert store.fetched_path(ids[0]).read_bytes() == data
    assert not list(store.staging.glob("*.part"))
    state.db.close()


def test_a_file_whose_local_copy_is_gone_is_fetched_again_while_its_object_is_staged(
    tmp_path: Path, s3_backend: Backend, backend_services: BackendServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    # E.g. the ingestion process moved to another host, or its data dir was wiped, after the fetch.
    data = image_bytes("png", (20, 10), seed=323)
    state, store, sid, ids = _staged_in_s3(tmp_path, s3_backend, backend_services, monkeypatch, data)
    arrivals = Arrivals(state, store, lambda s, i: None)
    ingestor = Ingestor(state)
    try:
        for idx in (0, 1):
            arrivals._fetch(ids[idx], StagedFile(sid, idx, "pending", len(data)), len(data))
            store.fetched_path(ids[idx]).unlink()
        store.client.delete(store.staging_key(ids[1]))  # this one's bytes are gone everywhere
        assert ingestor._claim([(sid, 0), (sid, 1)]) == []
    finally:
        arrivals.close()
    with state.db.read() as conn:
        rows = {r["idx"]: r for r in conn.execute("SELECT * FROM session_files WHERE session_id=?", (sid,))}
    assert (rows[0]["state"], rows[0]["staged"]) == ("pending", None)  # the next tick fetches it again
    assert (rows[1]["state"], rows[1]["error_code"]) == ("error", "EUNKNOWN")
    state.db.close()
