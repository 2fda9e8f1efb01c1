"""Issue 15.5/15.6 on the reference server: dataset update and delete, asset rename, session listing, page tokens."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from tests.helpers.images import image_bytes
from tests.helpers.s3_bucket import refused_or_swept
from tests.helpers.server_harness import SOURCE, Api, RunningServer
from vi_server import paging


def png(w: int, h: int) -> bytes:
    return image_bytes("png", (w, h))


def _dataset(api: Api) -> str:
    name = f"n{uuid.uuid4().hex[:10]}"
    api.create_dataset(name)
    return name


def test_update_changes_only_the_fields_sent(api: Api) -> None:
    ds = _dataset(api)
    r = api.http.patch(api.ds(ds), json={"description": "relabelled", "preference": {"theme": "dark"}})
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["description"], r.json()["preference"]) == (ds, "relabelled", {"theme": "dark"})
    r = api.http.patch(api.ds(ds), json={"name": "Renamed", "preference": {"grid": True}})
    body = api.http.get(api.ds(ds)).json()
    assert (body["name"], body["description"]) == ("Renamed", "relabelled")
    assert body["preference"] == {"theme": "dark", "grid": True}
    assert int(body["etag"].strip('W/"')) == 3


@pytest.mark.parametrize("body", [{"name": ""}, {"type": "vqa"}, {"kind": "Dataset", "spec": {"name": "x"}}])
def test_update_refuses_what_cannot_change(api: Api, body: dict[str, object]) -> None:
    ds = _dataset(api)
    assert api.http.patch(api.ds(ds), json=body).status_code == 400


def test_update_of_a_missing_dataset_is_404(api: Api) -> None:
    assert api.http.patch(api.ds("nope-nope"), json={"name": "x"}).status_code == 404


def test_delete_removes_the_dataset_its_assets_and_sessions(api: Api, server: RunningServer) -> None:
    ds = _dataset(api)
    api.upload(ds, [("a.png", png(8, 8)), ("b.png", png(9, 9))])
    open_session = api.create_session(ds, [("c.png", png(10, 10))])
    r = api.http.delete(api.ds(ds))
    assert r.status_code == 202, r.text
    op = r.json()
    assert op["kind"] == "DatasetDeleteOperation"
    assert op["datasetId"] == f"{api.org}_{ds}"
    finished = next(c for c in op["status"]["conditions"] if c["condition"] == "Finished")
    assert finished["status"] == "Reached"
    assert finished["message"] == "2 assets deleted"
    assert api.http.get(api.ds(ds)).status_code == 404
    assert api.http.get(f"{api.ds(ds)}/deleteOperation").json() == op
    # the open session's signed URL no longer leads anywhere; a new dataset of that id starts empty
    upload = open_session["status"]["assets"][0]["upload"]
    refused_or_swept(server, httpx.put(upload["url"], content=png(10, 10), headers=upload["headers"]), (403, 404, 409))
    api.create_dataset(ds)
    assert api.list_all(ds) == []
    assert api.http.get(f"{api.ds(ds)}/{SOURCE}/assetIngestionSessions").json()["items"] == []
    assert api.http.delete(f"{api.ds('never-there')}").status_code == 404


def test_delete_operation_of_a_dataset_never_deleted_is_404(api: Api) -> None:
    ds = _dataset(api)
    assert api.http.get(f"{api.ds(ds)}/deleteOperation").status_code == 404


def test_rename_keeps_the_id_and_refuses_clashes_and_bad_names(api: Api) -> None:
    ds = _dataset(api)
    api.upload(ds, [("a.png", png(8, 8)), ("b.png", png(9, 9))])
    ids = {a["filename"]: a["assetId"] for a in api.list_all(ds)}
    r = api.http.post(f"{api.ds(ds)}/assets/{ids['a.png']}/name", json={"filename": "train/a2.png"})
    assert r.status_code == 200, r.text
    assert (r.json()["assetId"], r.json()["filename"]) == (ids["a.png"], "train/a2.png")
    assert {a["filename"] for a in api.list_all(ds)} == {"train/a2.png", "b.png"}
    clash = api.http.post(f"{api.ds(ds)}/assets/{ids['b.png']}/name", json={"filename": "train/a2.png"})
    assert clash.status_code == 409
    for bad in ("../x.png", "/x.png", "a\\b.png", "a//b.png"):
        assert api.http.post(f"{api.ds(ds)}/assets/{ids['b.png']}/name", json={"filename": bad}).status_code == 400
    assert api.http.post(f"{api.ds(ds)}/assets/{ids['b.png']}/name", json={"name": "x.png"}).status_code == 400
    assert api.http.post(f"{api.ds(ds)}/assets/missing/name", json={"filename": "x.png"}).status_code == 404
    same = api.http.post(f"{api.ds(ds)}/assets/{ids['b.png']}/name", json={"filename": "b.png"})
    assert same.status_code == 200


def test_sessions_are_listed_oldest_first_in_pages(api: Api) -> None:
    ds = _dataset(api)
    made = [api.create_session(ds, [(f"f{i}.png", png(8, 8))])["assetIngestionSessionId"] for i in range(5)]
    seen: list[str] = []
    token = None
    while True:
        params: dict[str, str | int] = {"s": 2, **({"p": token} if token else {})}
        r = api.http.get(f"{api.ds(ds)}/{SOURCE}/assetIngestionSessions", params=params)
        assert r.status_code == 200, r.text
        assert all("assets" not in item["status"] for item in r.json()["items"])  # no upload URLs
        seen += [item["assetIngestionSessionId"] for item in r.json()["items"]]
        token = r.json()["nextPage"]
        if token is None:
            break
    assert seen == made
    other = api.http.get(f"{api.ds(ds)}/assetSources/managed/datature/other/assetIngestionSessions")
    assert other.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/workspaces/{org}/datasets", "{ds}/deleteManyAssetsSessions", "{ds}/assets",
     "{ds}/" + SOURCE + "/assetIngestionSessions"],
)  # fmt: skip
@pytest.mark.parametrize("token", [".\u00e7", "\u00e7.\u00e7", "eyJ9.\u00ff\u00ff"])
def test_a_non_ascii_page_token_is_400_not_500(api: Api, path: str, token: str) -> None:
    ds = _dataset(api)
    r = api.http.get(path.format(org=api.org, ds=api.ds(ds)), params={"p": token})
    assert r.status_code == 400, r.text


def test_decode_refuses_non_ascii_macs() -> None:
    with pytest.raises(paging.PageTokenError):
        paging.decode(b"k" * 32, "e30.\u00e7\u00e7", "scope")


def test_an_old_data_dir_gains_the_new_columns(tmp_path: Path) -> None:
    """A data dir from before these changes (no preference, attributes or sessions.seq) still serves."""
    import sqlite3

    from vi_server.db import Database

    Database(tmp_path / "vi.sqlite3").close()
    conn = sqlite3.connect(tmp_path / "vi.sqlite3")  # make it as old releases left it
    conn.execute("DROP INDEX sessions_by_seq")
    for table, column in (("datasets", "preference"), ("datasets", "attributes"), ("sessions", "seq")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("DROP TABLE dataset_deletions")
    conn.commit()
    assert "preference" not in {r[1] for r in conn.execute("PRAGMA table_info(datasets)")}
    conn.close()
    server = RunningServer(tmp_path).start()
    try:
        api = Api(server.endpoint, server.org, server.key)
        api.create_dataset("old")
        assert api.http.patch(api.ds("old"), json={"preference": {"a": "b"}}).json()["preference"] == {"a": "b"}
        first = api.create_session("old", [("a.png", b"x")])["assetIngestionSessionId"]
        server.stop()
        conn = sqlite3.connect(tmp_path / "vi.sqlite3")  # an old server's session: no seq
        conn.execute("DROP INDEX sessions_by_seq")
        conn.execute("UPDATE sessions SET seq=NULL")
        conn.commit()
        conn.close()
        server.start()
        api = Api(server.endpoint, server.org, server.key)
        second = api.create_session("old", [("b.png", b"x")])["assetIngestionSessionId"]
        listed = api.http.get(f"{api.ds('old')}/{SOURCE}/assetIngestionSessions", params={"s": 1})
        assert [i["assetIngestionSessionId"] for i in listed.json()["items"]] == [first]
        token = listed.json()["nextPage"]
        rest = api.http.get(f"{api.ds('old')}/{SOURCE}/assetIngestionSessions", params={"s": 1, "p": token})
        assert [i["assetIngestionSessionId"] for i in rest.json()["items"]] == [second]
        assert api.http.delete(api.ds("old")).status_code == 202  # dataset_deletions was created
    finally:
        server.stop()
