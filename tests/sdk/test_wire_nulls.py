"""Nulls and absent keys the real service may send (issue 15.1 and 15.2), fed through httpx.MockTransport.

Each case first checks that `openapi.yaml` allows the answer (the spec says what the service
may send), then that vi-ext decodes it and does the right thing with the null.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from tests.helpers.fake_vi import KEY, ORG, SCHEMAS, FakeVi
from tests.helpers.images import write_image
from tools.generate import ROOT
from vi_ext import Client
from vi_ext import models as m

COMPONENTS = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))["components"]
Path_ = tuple[str | int, ...]
Doc = dict[str, Any]


def allowed(schema: str, doc: Any) -> None:
    """Fail unless ``doc`` is valid for ``components.schemas[schema]``."""
    validator = jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{schema}", "components": COMPONENTS})
    validator.validate(doc)


def put(doc: Doc, path: Path_, value: Any) -> Doc:
    """A deep copy of ``doc`` with ``path`` set to ``value`` (the path must exist)."""
    out = copy.deepcopy(doc)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    assert path[-1] in node if isinstance(node, dict) else True, f"{path} is not in the base document"
    node[path[-1]] = value
    return out


def drop(doc: Doc, path: Path_) -> Doc:
    """A deep copy of ``doc`` without the key at ``path``."""
    out = copy.deepcopy(doc)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


def api_client(handler: Callable[[httpx.Request], httpx.Response]) -> Client:
    return Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(handler), sleep=lambda _: None)


def answering(doc: Any) -> Client:
    return api_client(lambda _: httpx.Response(200, json=doc))


# ---------------------------------------------------------------- assets (GET with contents)
SIGNED_GET = {"url": "http://storage.test/a/cat.jpg", "expiry": 4102444800000, "headers": {"X-A": "1"}, "method": "GET"}
ASSET: Doc = {
    **copy.deepcopy(SCHEMAS["Asset"]["example"]),
    "datasetId": f"{ORG}_ds",
    "contents": {"asset": SIGNED_GET, "thumbnail": {**SIGNED_GET, "url": "http://storage.test/t/cat.jpg"}},
}
ASSET["metadata"]["dimensions"]["depth"] = 1
ASSET["metadata"]["pixelRatio"]["depth"] = 1

ASSET_CASES: list[tuple[Path_, Callable[[m.Asset], bool]]] = [
    (("contents",), lambda a: a.contents is None),
    (
        ("contents", "asset"),
        lambda a: a.contents is not None and a.contents.asset is None and a.contents.thumbnail is not None,
    ),
    (
        ("contents", "thumbnail"),
        lambda a: a.contents is not None and a.contents.thumbnail is None and a.contents.asset is not None,
    ),
    (
        ("contents", "asset", "headers"),
        lambda a: a.contents is not None and a.contents.asset is not None and a.contents.asset.headers is None,
    ),
    (
        ("contents", "asset", "method"),
        lambda a: a.contents is not None and a.contents.asset is not None and a.contents.asset.method is None,
    ),
    (("metadata", "dimensions", "depth"), lambda a: a.metadata.dimensions.depth is None),
    (("metadata", "pixelRatio", "depth"), lambda a: a.metadata.pixel_ratio.depth is None),
]


@pytest.mark.parametrize(
    ("path", "check"), ASSET_CASES, ids=lambda v: ".".join(map(str, v)) if isinstance(v, tuple) else ""
)
def test_asset_with_a_null(path: Path_, check: Callable[[m.Asset], bool]) -> None:
    doc = put(ASSET, path, None)
    allowed("Asset", doc)
    asset = answering(doc).assets.get("ds", "a1", contents=True)
    assert check(asset)


def test_the_base_asset_has_every_value_the_cases_null() -> None:
    asset = answering(ASSET).assets.get("ds", "a1", contents=True)
    assert asset.contents is not None
    assert asset.contents.asset is not None
    assert (asset.contents.asset.headers, asset.contents.asset.method) == ({"X-A": "1"}, "GET")
    assert (asset.metadata.dimensions.depth, asset.metadata.pixel_ratio.depth) == (1, 1)


# ---------------------------------------------------------------- datasets
DATASET: Doc = {**copy.deepcopy(SCHEMAS["Dataset"]["example"]), "datasetId": f"{ORG}_ds"}

DATASET_CASES: list[tuple[Path_, Any, Callable[[m.Dataset], bool]]] = [
    (("description",), None, lambda d: d.description == ""),
    (("tagDetails",), None, lambda d: d.tag_details == {}),
    (("tagDetails", "cat", "description"), None, lambda d: d.tag_details == {"cat": m.TagDetail(None, "#00ff00")}),
    (("tagDetails", "cat", "color"), None, lambda d: d.tag_details == {"cat": m.TagDetail("A cat", None)}),
    (("deleteOp",), None, lambda d: d.delete_op is None),
    (("deleteOp",), "op-123", lambda d: d.delete_op == "op-123"),
    (("assetStatuses", "review", "createDate"), None, lambda d: d.name == "Cats and dogs"),
]


@pytest.mark.parametrize(("path", "value", "check"), DATASET_CASES,
                         ids=[f"{'.'.join(map(str, p))}={v}" for p, v, _ in DATASET_CASES])  # fmt: skip
def test_dataset_with_a_null(path: Path_, value: Any, check: Callable[[m.Dataset], bool]) -> None:
    doc = put(DATASET, path, value)
    allowed("Dataset", doc)
    assert check(answering(doc).datasets.get("ds"))


def test_delete_op_is_a_string_or_null_never_a_boolean() -> None:
    """The official client decodes ``deleteOp`` as ``str | None``: the spec's example must fit it."""
    assert DATASET["deleteOp"] is None
    with pytest.raises(jsonschema.ValidationError):
        allowed("Dataset", put(DATASET, ("deleteOp",), False))
    full = answering(DATASET).datasets.get("ds")
    assert full.tag_details == {"cat": m.TagDetail("A cat", "#00ff00")}


# ---------------------------------------------------------------- ingestion sessions
SESSION: Doc = copy.deepcopy(SCHEMAS["AssetIngestionSession"]["example"])
SESSION["datasetId"] = f"{ORG}_ds"
SESSION["status"]["conditions"][0].update(reason="Completed", message="All files processed")
UPLOADED = {"kind": "Image", "filename": "a.jpg", "mime": "image/jpeg", "size": 3}
SESSION["spec"]["assets"] = [UPLOADED]
SESSION["status"]["assets"] = [{"metadata": UPLOADED, "upload": {"url": "http://storage.test/u", "expiry": 1}}]

SESSION_CASES: list[tuple[Path_, Callable[[m.AssetIngestionSession], bool]]] = [
    (("spec", "assets"), lambda s: s.spec.assets is None),
    (("status", "assets"), lambda s: s.status.assets is None),
    (
        ("status", "conditions", 0, "reason"),
        lambda s: s.status.conditions[0].reason is None and s.status.conditions[0].message == "All files processed",
    ),
    (
        ("status", "conditions", 0, "message"),
        lambda s: s.status.conditions[0].message is None and s.status.conditions[0].reason == "Completed",
    ),
]


@pytest.mark.parametrize(("path", "check"), SESSION_CASES,
                         ids=[".".join(map(str, p)) for p, _ in SESSION_CASES])  # fmt: skip
def test_session_with_a_null(path: Path_, check: Callable[[m.AssetIngestionSession], bool]) -> None:
    doc = put(SESSION, path, None)
    allowed("AssetIngestionSession", doc)
    session = answering(doc).assets.wait_until_done("ds", "s1")
    assert session.is_finished
    assert check(session)


@pytest.mark.parametrize("key", ["reason", "message"])
def test_bulk_delete_condition_with_a_null(key: str) -> None:
    doc = copy.deepcopy(SCHEMAS["DeleteManyAssetsSession"]["example"])
    doc["status"]["conditions"][0].update(reason="Completed", message="done")
    doc = put(doc, ("status", "conditions", 0, key), None)
    allowed("DeleteManyAssetsSession", doc)
    session = answering(doc).datasets.bulk_delete_assets("ds", wait_until_done=False)
    assert getattr(session.conditions[0], key) is None
    assert session.is_finished


# ---------------------------------------------------------------- uploads: null headers = no extra headers
def _with_uploads(fake: FakeVi, change: Callable[[Doc], None]) -> Callable[[httpx.Request], httpx.Response]:
    """``fake.api``, with ``change`` applied to every signed upload of a session-creation answer."""

    def handler(request: httpx.Request) -> httpx.Response:
        response = fake.api(request)
        if request.method == "POST" and request.url.path.endswith("/assetIngestionSessions"):
            doc = response.json()
            for item in doc["status"]["assets"]:
                change(item["upload"])
            allowed("AssetIngestionSession", doc)
            return httpx.Response(response.status_code, json=doc)
        return response

    return handler


def _upload_change(case: str) -> Callable[[Doc], None]:
    def change(upload: Doc) -> None:
        if case == "headers-null":
            upload["headers"] = None
        elif case == "headers-absent":
            del upload["headers"]
        elif case == "method-null":
            upload["method"] = None

    return change


@pytest.mark.parametrize("case", ["headers-null", "headers-absent", "method-null"])
def test_upload_with_null_signed_upload_fields(tmp_path: Path, case: str) -> None:
    seen: list[httpx.Request] = []
    fake = FakeVi()
    storage = fake.storage

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return storage(request)

    data = write_image(tmp_path / "imgs" / "a.jpg", seed=1)
    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(_with_uploads(fake, _upload_change(case))),
                    storage_transport=httpx.MockTransport(record), sleep=lambda _: None)  # fmt: skip
    result = client.assets.upload("ds", tmp_path / "imgs", show_progress=False)
    assert (result.total_succeeded, result.total_failed) == (1, 0), result.summary()
    assert [r.method for r in seen] == ["PUT"]
    if case.startswith("headers"):
        assert "content-type" not in seen[0].headers  # no headers asked for: none added
    assert list(fake.bodies.values()) == [data]


def test_a_session_answer_with_null_uploads_fails_each_file_cleanly(tmp_path: Path) -> None:
    fake = FakeVi()

    def handler(request: httpx.Request) -> httpx.Response:
        response = fake.api(request)
        if request.method == "POST" and request.url.path.endswith("/assetIngestionSessions"):
            doc = {**response.json(), "status": {**response.json()["status"], "assets": None}}
            allowed("AssetIngestionSession", doc)
            return httpx.Response(201, json=doc)
        return response

    write_image(tmp_path / "imgs" / "a.jpg", seed=1)
    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(handler),
                    storage_transport=httpx.MockTransport(fake.storage), sleep=lambda _: None)  # fmt: skip
    result = client.assets.upload("ds", tmp_path / "imgs", failure_mode="FailAfterAll", show_progress=False,
                                  wait_until_done=False)  # fmt: skip
    assert [(f.filename, f.code) for f in result.failures] == [("a.jpg", "UPLOAD_FAILED")]
    assert "no upload URL" in result.failures[0].message


@pytest.mark.parametrize("headers", [None, "absent"])
def test_multipart_part_url_with_null_headers(tmp_path: Path, headers: Any) -> None:
    fake = FakeVi()
    multipart = copy.deepcopy(SCHEMAS["MultipartUpload"]["example"])
    multipart["status"]["partCount"] = 1
    multipart["multipartUploadId"] = "m1"
    part_puts: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/multipartUploads"):
            return httpx.Response(201, json=multipart)
        if path.endswith("/multipartUploads/m1/parts/1"):
            url: Doc = {"method": "PUT", "url": "http://storage.test/s0/big.jpg", "expiry": 4102444800000,
                        "responseHeaders": ["ETag"], "responseBody": False, "headers": headers}  # fmt: skip
            if headers == "absent":
                del url["headers"]
            allowed("PartSignedUrl", url)
            return httpx.Response(200, json=url)
        if path.endswith("/completion"):
            return httpx.Response(200, json=multipart)
        return fake.api(request)

    def storage(request: httpx.Request) -> httpx.Response:
        part_puts.append(request)
        return fake.storage(request)

    data = write_image(tmp_path / "imgs" / "big.jpg", seed=2)
    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(api),
                    storage_transport=httpx.MockTransport(storage), sleep=lambda _: None)  # fmt: skip
    result = client.assets.upload("ds", tmp_path / "imgs", multipart_threshold=1, show_progress=False)
    assert (result.total_succeeded, result.total_failed) == (1, 0), result.summary()
    assert len(part_puts) == 1
    assert "content-type" not in part_puts[0].headers
    assert fake.bodies["http://storage.test/s0/big.jpg"] == data


# ---------------------------------------------------------------- downloads: null headers = no extra headers
@pytest.mark.parametrize("field", ["headers", "method"])
def test_download_with_null_signed_get_fields(tmp_path: Path, field: str) -> None:
    data = b"\xff\xd8 some bytes"
    asset = copy.deepcopy(ASSET)
    asset["filename"] = "x/y.jpg"
    asset["metadata"]["fileSize"] = len(data)
    asset["metadata"]["hash"] = {"algorithm": "sha256", "contents": hashlib.sha256(data).hexdigest()}
    asset["contents"]["asset"][field] = None
    dataset = {**DATASET, "statistic": {**DATASET["statistic"], "assetTotal": 1}}
    envelope = {"items": [asset]}  # no nextPage: the last page
    allowed("AssetList", envelope)
    gets: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=envelope if request.url.path.endswith("/assets") else dataset)

    def storage(request: httpx.Request) -> httpx.Response:
        gets.append(request)
        return httpx.Response(200, content=data)

    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(api),
                    storage_transport=httpx.MockTransport(storage), sleep=lambda _: None)  # fmt: skip
    result = client.assets.download("ds", tmp_path, show_progress=False)
    assert (result.downloaded, result.failed) == (1, 0)
    assert [g.method for g in gets] == ["GET"]
    assert ("x-a" in gets[0].headers) == (field != "headers")
    assert (tmp_path / "ds" / "x" / "y.jpg").read_bytes() == data


# ---------------------------------------------------------------- pagination envelopes
@pytest.mark.parametrize(
    ("envelope", "count"),
    [
        ({}, 0),
        ({"nextPage": None}, 0),
        ({"items": None}, 0),
        ({"items": [ASSET]}, 1),
        ({"items": [ASSET], "nextPage": ""}, 1),
    ],
    ids=["empty-object", "no-items", "null-items", "no-nextPage", "empty-nextPage"],
)
def test_asset_page_with_absent_keys(envelope: Doc, count: int) -> None:
    if envelope.get("items", []) is not None:
        allowed("AssetList", envelope)
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, json=envelope)

    page = api_client(handler).assets.list("ds")
    assert (len(page.items), page.next_page) == (count, None)
    assert len(list(page.all_items())) == count
    assert len(calls) == 1  # an absent nextPage is the last page: nothing more is fetched


@pytest.mark.parametrize("envelope", [{}, {"items": [DATASET]}], ids=["empty-object", "no-nextPage"])
def test_dataset_page_with_absent_keys(envelope: Doc) -> None:
    allowed("DatasetList", envelope)
    listed = answering(envelope).datasets.list()
    assert [d.dataset_id for d in listed.all_items()] == [d["datasetId"].removeprefix(f"{ORG}_")
                                                          for d in envelope.get("items", [])]  # fmt: skip


def test_delete_sessions_page_may_omit_both_keys() -> None:
    allowed("DeleteManyAssetsSessionList", {})


# ---------------------------------------------------------------- ids in answers are path ids
@pytest.mark.parametrize(
    ("schema", "key"),
    [("Asset", "assetId"), ("AssetIngestionSession", "assetIngestionSessionId"),
     ("AssetIngestionSession", "ingestionId"), ("DeleteManyAssetsSession", "deleteManyAssetsSessionId"),
     ("MultipartUpload", "multipartUploadId"), ("MultipartUploadSpec", "ingestionId"),
     ("MultipartUploadCreateSpec", "ingestionId")],
)  # fmt: skip
def test_ids_in_answers_use_the_path_id_schema(schema: str, key: str) -> None:
    prop = COMPONENTS["schemas"][schema]["properties"][key]
    assert prop["$ref"] == "#/components/schemas/ResourceId"
    example = COMPONENTS["schemas"][schema]["example"]
    with pytest.raises(jsonschema.ValidationError):
        allowed(schema, {**example, key: "has/slash"})
