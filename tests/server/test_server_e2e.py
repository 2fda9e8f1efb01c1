"""The reference server over real HTTP on loopback (issue 3)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.helpers.images import image_bytes, truncated_jpeg
from tests.helpers.s3_bucket import refused_or_swept
from tests.helpers.server_harness import SOURCE, Api, RunningServer, crc32c_signed
from vi_server.testing.seed import seed_assets


def new_dataset(api: Api) -> str:
    dataset = "ds-" + uuid.uuid4().hex[:10]
    api.create_dataset(dataset)
    return dataset


def errors_of(session: dict[str, Any]) -> dict[str, str]:
    files: dict[str, str] = {}
    for event in session["status"]["events"]:
        if event["kind"] == "Error":
            files.update(event["files"])
    return files


def test_real_formats_ingest_with_correct_metadata(api: Api) -> None:
    dataset = new_dataset(api)
    files = [(f"formats/img.{fmt}", image_bytes(fmt, (80, 60), seed=i)) for i, fmt in
             enumerate(["jpg", "png", "webp", "tiff", "gif"])]  # fmt: skip
    session = api.upload(dataset, files)
    assert session["status"]["progressCount"] == {"total": 5, "succeeded": 5, "errored": 0}
    assets = {a["filename"]: a for a in api.list_all(dataset)}
    expected_mime = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "tiff": "image/tiff",
                     "gif": "image/gif"}  # fmt: skip
    for name, data in files:
        meta = assets[name]["metadata"]
        assert meta["mimeType"] == expected_mime[name.rsplit(".", 1)[1]]
        assert (meta["width"], meta["height"], meta["fileSize"]) == (80, 60, len(data))
        assert meta["hash"]["algorithm"] == "sha256"
        assert meta["frames"] == (3 if name.endswith(".gif") else 1)


def test_bad_files_get_the_documented_codes(api: Api) -> None:
    dataset = new_dataset(api)
    png = image_bytes("png", seed=3)
    files = [
        ("corrupt.jpg", truncated_jpeg()),
        ("png-named.jpg", png),
        ("text.png", b"this is not an image at all"),
        ("wrong-size.jpg", image_bytes("jpg", seed=4)),
        ("wrong-crc.jpg", image_bytes("jpg", seed=5)),
    ]
    declared = {"wrong-size.jpg": {"size": len(files[3][1]) + 10},
                "wrong-crc.jpg": {"crc32c": crc32c_signed(b"other")}}  # fmt: skip
    session = api.create_session(dataset, files, declared=declared)
    api.put_all(session, files)
    final = api.wait(dataset, session["assetIngestionSessionId"])
    assert errors_of(final) == {
        "corrupt.jpg": "ECORRUPT",
        "text.png": "EBADMIME",
        "wrong-size.jpg": "EBADSIZE",
        "wrong-crc.jpg": "ECORRUPT",
    }
    assert final["status"]["progressCount"] == {"total": 5, "succeeded": 1, "errored": 4}
    # A PNG named .jpg is fine: the content decides the stored MIME type.
    (only,) = api.list_all(dataset)
    assert (only["filename"], only["metadata"]["mimeType"]) == ("png-named.jpg", "image/png")
    # Per-file errors never turn the session into FailedReach.
    assert all(c["status"] == "Reached" for c in final["status"]["conditions"])


def test_fail_after_one_stops_after_the_first_error(api: Api, server: RunningServer) -> None:
    dataset = new_dataset(api)
    bad = ("bad.jpg", truncated_jpeg())
    good = [(f"g{i}.jpg", image_bytes("jpg", seed=10 + i)) for i in range(3)]
    session = api.create_session(dataset, [bad, *good], failure_mode="FailAfterOne")
    api.put_all(session, [bad])
    final = api.wait(dataset, session["assetIngestionSessionId"])
    codes = errors_of(final)
    assert codes["bad.jpg"] == "ECORRUPT"
    assert {codes[n] for n, _ in good} == {"EUNKNOWN"}
    assert final["status"]["progressCount"] == {"total": 4, "succeeded": 0, "errored": 4}
    late = session["status"]["assets"][1]["upload"]
    refused_or_swept(server, httpx.put(late["url"], content=good[0][1], headers=late["headers"]))
    assert api.wait(dataset, session["assetIngestionSessionId"])["status"]["progressCount"]["succeeded"] == 0


def test_fail_after_all_ingests_every_good_file(api: Api) -> None:
    dataset = new_dataset(api)
    files = [("bad.jpg", truncated_jpeg()), *[(f"g{i}.jpg", image_bytes("jpg", seed=20 + i)) for i in range(3)]]
    final = api.upload(dataset, files, failure_mode="FailAfterAll")
    assert final["status"]["progressCount"] == {"total": 4, "succeeded": 3, "errored": 1}
    assert errors_of(final) == {"bad.jpg": "ECORRUPT"}


@pytest.mark.parametrize(("mode", "keeps"), [("RemoveLinkedResource", False), ("KeepLinkedResource", True),
                                             ("KeepLinkedResources", True)])  # fmt: skip
def test_overwrite_modes(api: Api, mode: str, keeps: bool) -> None:
    dataset = new_dataset(api)
    api.upload(dataset, [("same.jpg", image_bytes("jpg", seed=1))], custom={"old": "yes", "shared": 1})
    (before,) = api.list_all(dataset)
    second = image_bytes("png", seed=2)
    final = api.upload(dataset, [("same.jpg", second)], overwrite=mode, custom={"shared": 2})
    assert final["spec"]["onAssetOverwritten"] == ("KeepLinkedResources" if keeps else "RemoveLinkedResource")
    (after,) = api.list_all(dataset)
    assert after["assetId"] == before["assetId"]
    assert after["metadata"]["fileSize"] == len(second)
    expected = {"old": "yes", "shared": 2} if keeps else {"shared": 2}
    assert after["metadata"]["customMetadata"] == expected


def test_files_that_never_arrive_time_out(fresh_server: RunningServer) -> None:
    api = Api(fresh_server.endpoint, fresh_server.org, fresh_server.key)
    dataset = new_dataset(api)
    files = [("arrives.jpg", image_bytes("jpg", seed=1)), ("never.jpg", image_bytes("jpg", seed=2))]
    session = api.create_session(dataset, files)
    api.put_all(session, files[:1])
    final = api.wait(dataset, session["assetIngestionSessionId"], timeout=20)
    assert errors_of(final) == {"never.jpg": "ETIMEOUT"}
    assert final["status"]["progressCount"] == {"total": 2, "succeeded": 1, "errored": 1}


def test_cancel_reports_missing_files(api: Api) -> None:
    dataset = new_dataset(api)
    files = [("a.jpg", image_bytes("jpg", seed=7))]
    session = api.create_session(dataset, files)
    sid = session["assetIngestionSessionId"]
    r = api.http.post(f"{api.ds(dataset)}/{SOURCE}/assetIngestionSessions/{sid}:cancel")
    assert r.status_code == 200
    assert r.json()["status"]["conditions"][0] == {
        "condition": "Finished", "status": "Reached", "lastTransitionTime": r.json()["status"]["conditions"][0][
            "lastTransitionTime"], "reason": "Cancelled"}  # fmt: skip
    assert errors_of(r.json()) == {"a.jpg": "EUNKNOWN"}


SORTS = [
    ("default", lambda a: a["_seq"]),
    ("assetId", lambda a: a["assetId"]),
    ("filename", lambda a: a["filename"]),
    ("lastModified.contents", lambda a: a["metadata"]["contentsLastUpdated"]),
    ("metadata.fileSize", lambda a: a["metadata"]["fileSize"]),
]


@pytest.fixture(scope="module")
def big_dataset(server: RunningServer) -> tuple[Api, str]:
    api = Api(server.endpoint, server.org, server.key)
    dataset = new_dataset(api)
    seed_assets(server.data_dir, server.org, dataset, 2500, database_url=server.database_url)
    return api, dataset


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize(("sort_by", "key"), SORTS, ids=[s for s, _ in SORTS])
def test_pagination_across_2500_assets(big_dataset: tuple[Api, str], sort_by: str, key: Any, order: str) -> None:
    api, dataset = big_dataset
    default = api.list_all(dataset, s=1000)
    seq = {a["assetId"]: i for i, a in enumerate(default)}
    items = api.list_all(dataset, s=333, sortBy=sort_by, o=order)
    assert len(items) == 2500
    assert len({a["assetId"] for a in items}) == 2500
    for a in items:
        a["_seq"] = seq[a["assetId"]]
    keys = [(key(a), a["_seq"]) for a in items]
    assert keys == sorted(keys, reverse=order == "desc")


def test_paging_is_stable_under_concurrent_inserts(big_dataset: tuple[Api, str], server: RunningServer) -> None:
    api, dataset = big_dataset
    first = api.http.get(f"{api.ds(dataset)}/assets", params={"s": 500, "sortBy": "filename"}).json()
    seed_assets(
        server.data_dir, server.org, dataset, 50, prefix="zz-late/", database_url=server.database_url
    )  # sorts after every seen name
    seen = [a["filename"] for a in first["items"]]
    token = first["nextPage"]
    while token:
        page = api.http.get(f"{api.ds(dataset)}/assets", params={"s": 500, "sortBy": "filename", "p": token}).json()
        seen += [a["filename"] for a in page["items"]]
        token = page["nextPage"]
    assert len(seen) == len(set(seen)) == 2550
    assert seen == sorted(seen)


def test_page_tokens_are_opaque_and_checked(big_dataset: tuple[Api, str]) -> None:
    api, dataset = big_dataset
    first = api.http.get(f"{api.ds(dataset)}/assets", params={"s": 10}).json()
    assert first["nextPage"]
    forged = api.http.get(f"{api.ds(dataset)}/assets", params={"s": 10, "p": first["nextPage"][:-2] + "00"})
    assert forged.status_code == 400
    other_sort = api.http.get(
        f"{api.ds(dataset)}/assets", params={"s": 10, "p": first["nextPage"], "sortBy": "filename"}
    )
    assert other_sort.status_code == 400


def test_filters_and_count(big_dataset: tuple[Api, str]) -> None:
    api, dataset = big_dataset
    count = api.http.get(f"{api.ds(dataset)}/assets:count").json()["count"]
    assert count >= 2500
    seeded = {"filter": '{"filename": "seed/"}'}  # other tests add assets under another prefix
    odd = api.http.get(f"{api.ds(dataset)}/assets:count", params={**seeded, "metadataQuery": 'parity == "odd"'}).json()
    assert odd["count"] == 1250
    by_name = api.list_all(dataset, filter='{"filename": "seed/000000"}', s=100)
    assert [a["filename"] for a in by_name] == [f"seed/{i:07d}.png" for i in range(10)]
    strict = api.list_all(dataset, filter="{'filename': 'seed/0000001.png'}", strictQuery="y")
    assert [a["filename"] for a in strict] == ["seed/0000001.png"]
    assert api.list_all(dataset, filter='{"status": "error"}') == []
    small = api.http.get(f"{api.ds(dataset)}/assets:count", params={**seeded, "ruleQuery": "width <= 16"}).json()
    small = small["count"]
    assert small == len([i for i in range(2500) if i % 7 == 0])
    bad = api.http.get(f"{api.ds(dataset)}/assets", params={"filter": "not json"})
    assert bad.status_code == 400


def test_bulk_delete_selects_what_the_filter_says(api: Api, server: RunningServer) -> None:
    dataset = new_dataset(api)
    seed_assets(server.data_dir, server.org, dataset, 20, database_url=server.database_url)
    spec = {"filter": None, "metadataQuery": 'parity == "even"', "ruleQuery": None, "strictQuery": None}
    r = api.http.post(f"{api.ds(dataset)}/deleteManyAssetsSessions", json={"spec": spec})
    assert r.status_code == 201
    assert all(c["status"] == "Reached" for c in r.json()["status"]["conditions"])
    assert len(api.list_all(dataset)) == 10
    got = api.http.get(f"{api.ds(dataset)}/deleteManyAssetsSessions/{r.json()['deleteManyAssetsSessionId']}")
    assert got.status_code == 200
    everything = {"filter": None, "metadataQuery": None, "ruleQuery": None, "strictQuery": None}
    assert api.http.post(f"{api.ds(dataset)}/deleteManyAssetsSessions", json={"spec": everything}).status_code == 201
    assert api.list_all(dataset) == []
    listed = api.http.get(f"{api.ds(dataset)}/deleteManyAssetsSessions", params={"s": 1}).json()
    assert len(listed["items"]) == 1
    assert listed["nextPage"]


def test_delete_answers_an_empty_body(api: Api) -> None:
    dataset = new_dataset(api)
    api.upload(dataset, [("x.jpg", image_bytes("jpg", seed=9))])
    (asset,) = api.list_all(dataset)
    r = api.http.delete(f"{api.ds(dataset)}/assets/{asset['assetId']}")
    assert (r.status_code, r.content) == (204, b"")
    assert api.http.get(f"{api.ds(dataset)}/assets/{asset['assetId']}").status_code == 404


def test_organizations_are_kept_apart(api: Api, server: RunningServer) -> None:
    dataset = new_dataset(api)
    api.upload(dataset, [("secret.jpg", image_bytes("jpg", seed=11))])
    (asset,) = api.list_all(dataset)
    other = server.new_org()
    b = Api(server.endpoint, other["organization_id"], other["secret_key"])
    assert len(other["secret_key"]) == 103
    assert other["secret_key"].startswith("dtvi_")
    # B's key on A's paths: refused, whatever header it claims.
    as_b = httpx.Client(
        base_url=server.endpoint, headers={"Authorization": f"Bearer {b.key}", "Organization-Id": api.org}
    )
    assert as_b.get(f"{api.ds(dataset)}/assets").status_code == 403
    assert b.http.get(f"{api.ds(dataset)}/assets").status_code == 403
    # B asking for A's dataset under its own organization: not found.
    assert b.http.get(f"/workspaces/{b.org}/datasets/{api.org}_{dataset}/assets").status_code == 404
    assert b.http.get(f"/workspaces/{b.org}/datasets/{b.org}_{dataset}/assets/{asset['assetId']}").status_code == 404
    wrong_key = httpx.get(f"{server.endpoint}{api.ds(dataset)}/assets",
                          headers={"Authorization": "Bearer dtvi_" + "x" * 98, "Organization-Id": api.org})  # fmt: skip
    assert wrong_key.status_code == 401
    assert httpx.get(f"{server.endpoint}{api.ds(dataset)}/assets").status_code == 401


def test_signed_urls_refuse_tampering_repurposing_and_expiry(short_ttl_server: RunningServer) -> None:
    api = Api(short_ttl_server.endpoint, short_ttl_server.org, short_ttl_server.key)
    dataset = new_dataset(api)
    api.upload(dataset, [("cat.jpg", image_bytes("jpg", seed=12))])
    (asset,) = api.list_all(dataset, contents="y")
    url = asset["contents"]["asset"]["url"]
    assert httpx.get(url).status_code == 200
    sig = url.rsplit("signature=", 1)[1]
    tampered = url.replace(sig, ("0" if sig[0] != "0" else "1") + sig[1:])
    assert httpx.get(tampered).status_code == 403
    assert httpx.put(url, content=b"x").status_code == 405  # no PUT on objects at all
    # Re-purposed: a valid signature moved to another path or used with another method.
    pending = api.create_session(dataset, [("next.jpg", b"12345"), ("other.jpg", b"123")])
    put_a, put_b = (item["upload"]["url"] for item in pending["status"]["assets"])
    query = url.split("?", 1)[1]
    assert httpx.put(put_a.split("?")[0] + "?" + query, content=b"12345").status_code == 403
    assert httpx.put(put_b.split("?")[0] + "?" + put_a.split("?")[1], content=b"123").status_code == 403
    thumb = asset["contents"]["thumbnail"]["url"]
    moved = url.split("?")[0].replace("/asset/", "/thumbnail/") + "?" + url.split("?")[1]
    assert httpx.get(moved).status_code == 403  # another path
    assert httpx.get(thumb).status_code == 200
    time.sleep(3.2)  # the URL TTL of this server is 2 s
    assert httpx.get(url).status_code == 403


def test_data_survives_a_restart(fresh_server: RunningServer) -> None:
    api = Api(fresh_server.endpoint, fresh_server.org, fresh_server.key)
    dataset = new_dataset(api)
    data = image_bytes("png", seed=13)
    api.upload(dataset, [("keep/me.png", data)])
    fresh_server.stop()
    fresh_server.start()
    assert fresh_server.org == api.org
    assert fresh_server.key == api.key
    again = Api(fresh_server.endpoint, fresh_server.org, fresh_server.key)
    (asset,) = again.list_all(dataset, contents="y")
    assert httpx.get(asset["contents"]["asset"]["url"]).content == data


def test_multipart_upload_round_trips(fresh_server: RunningServer) -> None:
    api = Api(fresh_server.endpoint, fresh_server.org, fresh_server.key)
    dataset = new_dataset(api)
    data = image_bytes("png", (300, 200), seed=14)
    assert len(data) > 3 * 40000
    session = api.create_session(dataset, [("big/scan.png", data)])
    base = f"{api.ds(dataset)}/{SOURCE}/multipartUploads"
    r = api.http.post(base, json={"spec": {"ingestionId": session["ingestionId"], "filename": "big/scan.png",
                                           "contentType": "image/png", "sizeBytes": len(data)}})  # fmt: skip
    assert r.status_code == 201, r.text
    mp = r.json()
    n = mp["status"]["partCount"]
    assert n == -(-len(data) // 40000)
    step = len(data) // n
    for part in range(1, n + 1):
        chunk = data[step * (part - 1) : (len(data) if part == n else step * part)]
        url = api.http.post(f"{base}/{mp['multipartUploadId']}/parts/{part}", json={}).json()
        put = httpx.put(url["url"], content=iter([chunk]))  # chunked, as the official client sends it
        assert put.status_code == 200
        done = {"responseHeaders": {"ETag": put.headers["etag"]}}
        assert api.http.post(f"{base}/{mp['multipartUploadId']}/parts/{part}/completion", json=done).status_code == 200
    assert api.http.post(f"{base}/{mp['multipartUploadId']}/completion").status_code == 200
    final = api.wait(dataset, session["assetIngestionSessionId"])
    assert final["status"]["progressCount"]["succeeded"] == 1
    (asset,) = api.list_all(dataset, contents="y")
    assert httpx.get(asset["contents"]["asset"]["url"]).content == data


def test_unsafe_filenames_are_refused(api: Api) -> None:
    dataset = new_dataset(api)
    for name in ["../evil.jpg", "/abs.jpg", "a/../../b.jpg", "..\\x.jpg", "a//b.jpg", "nul\x00.jpg"]:
        spec = {"assets": [{"filename": name, "mime": "image/jpeg", "size": 1, "kind": "Image"}], "kind": "Upload",
                "failureMode": "FailAfterAll", "onAssetOverwritten": "RemoveLinkedResource"}  # fmt: skip
        r = api.http.post(f"{api.ds(dataset)}/{SOURCE}/assetIngestionSessions", json={"spec": spec})
        assert r.status_code == 400, name


def test_requests_are_validated_against_the_spec(api: Api) -> None:
    dataset = new_dataset(api)
    assert api.http.get(f"{api.ds(dataset)}/assets", params={"s": 0}).status_code == 400
    assert api.http.get(f"{api.ds(dataset)}/assets", params={"sortBy": "nope"}).status_code == 400
    assert api.http.post(f"/workspaces/{api.org}/datasets", json={"nom": "x"}).status_code == 400
    too_many = {"spec": {"assets": [{"filename": f"{i}.jpg", "mime": "image/jpeg", "size": 1, "kind": "Image"}
                                    for i in range(10_001)], "kind": "Upload", "failureMode": "FailAfterAll",
                         "onAssetOverwritten": "RemoveLinkedResource"}}  # fmt: skip
    assert api.http.post(f"{api.ds(dataset)}/{SOURCE}/assetIngestionSessions", json=too_many).status_code == 400
    r = api.http.request("PATCH", f"{api.ds(dataset)}/assets")
    assert (r.status_code, r.headers["allow"]) == (405, "GET")
