"""Issue 14.6: the session state machine holds on every route (PUT, part PUT, part and multipart completion)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.helpers.images import image_bytes
from tests.helpers.s3_bucket import bucket_of, refused_or_swept
from tests.helpers.server_harness import SOURCE, Api, RunningServer


def _dataset(api: Api) -> str:
    name = f"sm-{uuid.uuid4().hex[:8]}"
    api.create_dataset(name)
    return name


def _multipart(api: Api, dataset: str, session: dict[str, Any], name: str, data: bytes) -> tuple[str, int]:
    base = f"{api.ds(dataset)}/{SOURCE}/multipartUploads"
    r = api.http.post(base, json={"spec": {"ingestionId": session["ingestionId"], "filename": name,
                                           "contentType": "image/png", "sizeBytes": len(data)}})  # fmt: skip
    assert r.status_code == 201, r.text
    return f"{base}/{r.json()['multipartUploadId']}", r.json()["status"]["partCount"]


def _chunks(data: bytes, n: int) -> list[bytes]:
    step = len(data) // n
    return [data[step * (p - 1) : (len(data) if p == n else step * p)] for p in range(1, n + 1)]


def _session(api: Api, dataset: str, sid: str) -> dict[str, Any]:
    r = api.http.get(f"{api.ds(dataset)}/{SOURCE}/assetIngestionSessions/{sid}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_multipart_after_cancel_is_refused_and_counts_stay(fresh_server: RunningServer) -> None:
    api = Api(fresh_server.endpoint, fresh_server.org, fresh_server.key)
    dataset = _dataset(api)
    data = image_bytes("png", (300, 200), seed=21)
    session = api.create_session(dataset, [("mp/after-cancel.png", data)])
    sid = session["assetIngestionSessionId"]
    mp, n = _multipart(api, dataset, session, "mp/after-cancel.png", data)
    chunks = _chunks(data, n)
    urls = [api.http.post(f"{mp}/parts/{p}", json={}).json()["url"] for p in range(1, n + 1)]
    # The first part arrives and is completed while the session is open.
    put = httpx.put(urls[0], content=chunks[0])
    assert put.status_code == 200
    done = {"responseHeaders": {"ETag": put.headers["etag"]}}
    assert api.http.post(f"{mp}/parts/1/completion", json=done).status_code == 200

    cancelled = api.http.post(f"{api.ds(dataset)}/{SOURCE}/assetIngestionSessions/{sid}:cancel")
    assert cancelled.status_code == 200, cancelled.text
    before = _session(api, dataset, sid)["status"]["progressCount"]
    assert before == {"total": 1, "succeeded": 0, "errored": 1}

    # Every later step is refused with a clear 409 (a pre-signed part URL included).
    for p in range(2, n + 1):
        late = httpx.put(urls[p - 1], content=chunks[p - 1])
        if bucket_of(fresh_server) is not None:  # S3 refuses parts of an aborted upload itself
            assert late.status_code >= 400, late.text  # S3: 404 NoSuchUpload (moto answers 500)
            continue
        assert late.status_code == 409, late.text
        assert "Cancelled" in late.json()["message"]
    assert api.http.post(f"{mp}/parts/2", json={}).status_code == 409
    assert api.http.post(f"{mp}/parts/1/completion", json=done).status_code == 409
    final = api.http.post(f"{mp}/completion")
    assert final.status_code == 409, final.text

    after = _session(api, dataset, sid)
    assert after["status"]["progressCount"] == before
    assert api.list_all(dataset) == []


def test_a_second_multipart_for_an_uploaded_file_cannot_complete(fresh_server: RunningServer) -> None:
    api = Api(fresh_server.endpoint, fresh_server.org, fresh_server.key)
    dataset = _dataset(api)
    data = image_bytes("png", (300, 200), seed=22)
    session = api.create_session(dataset, [("mp/twice.png", data)])
    first, n = _multipart(api, dataset, session, "mp/twice.png", data)
    second, _ = _multipart(api, dataset, session, "mp/twice.png", data)
    for mp in (first, second):
        for p, chunk in enumerate(_chunks(data, n), start=1):
            url = api.http.post(f"{mp}/parts/{p}", json={}).json()["url"]
            put = httpx.put(url, content=chunk)
            assert put.status_code == 200
            done = {"responseHeaders": {"ETag": put.headers["etag"]}}
            assert api.http.post(f"{mp}/parts/{p}/completion", json=done).status_code == 200
    assert api.http.post(f"{first}/completion").status_code == 200
    again = api.http.post(f"{second}/completion")
    assert again.status_code == 409, again.text
    final = api.wait(dataset, session["assetIngestionSessionId"])
    assert final["status"]["progressCount"] == {"total": 1, "succeeded": 1, "errored": 0}


def test_put_after_cancel_is_refused(fresh_server: RunningServer) -> None:
    api = Api(fresh_server.endpoint, fresh_server.org, fresh_server.key)
    dataset = _dataset(api)
    data = image_bytes("png", seed=23)
    session = api.create_session(dataset, [("put/after-cancel.png", data)])
    sid = session["assetIngestionSessionId"]
    assert api.http.post(f"{api.ds(dataset)}/{SOURCE}/assetIngestionSessions/{sid}:cancel").status_code == 200
    upload = session["status"]["assets"][0]["upload"]
    refused_or_swept(fresh_server, httpx.put(upload["url"], content=data, headers=upload["headers"]))
    assert _session(api, dataset, sid)["status"]["progressCount"] == {"total": 1, "succeeded": 0, "errored": 1}
