"""Query parameters and filenames stated precisely in the spec (issue 15.4), checked on the reference server."""

from __future__ import annotations

import importlib.util
import re
import tomllib
import uuid
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.server_harness import SOURCE, Api
from tools.client_spec import transform
from tools.generate import ROOT
from vi_server.sessions import filename_problem

SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
FILENAME = SPEC["components"]["schemas"]["AssetFilename"]
PATTERN = re.compile(FILENAME["pattern"])
NAMES = [
    "a.jpg", "train/cat/001.jpg", ".hidden.jpg", "..dots.jpg", "...", "a/..b/c", "ü/日本.png", "a b/c d.jpg",
    "", ".", "..", "/abs.jpg", "a/", "a//b.jpg", "a/./b.jpg", "a/../b.jpg", "../evil.jpg", "a/..", "a/.",
    "..\\x.jpg", "win\\path.jpg", "nul\x00.jpg",
]  # fmt: skip


def test_filter_is_json_content_in_the_spec_and_a_string_for_the_generator() -> None:
    param = SPEC["components"]["parameters"]["Filter"]
    assert "schema" not in param
    assert param["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/FilterObject"}
    generated = transform(SPEC)["components"]["parameters"]["Filter"]
    assert generated["schema"]["type"] == "string"
    assert "content" not in generated


@pytest.mark.parametrize("name", NAMES, ids=repr)
def test_filename_pattern_agrees_with_the_server_rule(name: str) -> None:
    assert (PATTERN.search(name) is not None) == (filename_problem(name) is None and name != "")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", ".", "..", "", "\\", "\x00", "b.jpg", "/", ".x", "x."]), max_size=6))
def test_filename_pattern_agrees_with_the_server_rule_on_generated_names(parts: list[str]) -> None:
    name = "".join(parts)
    assert (PATTERN.search(name) is not None) == (filename_problem(name) is None and name != "")


def test_uploads_and_multipart_use_the_filename_schema() -> None:
    schemas = SPEC["components"]["schemas"]
    for holder in ("UploadAssetSpec", "MultipartUploadCreateSpec"):
        assert schemas[holder]["properties"]["filename"] == {"$ref": "#/components/schemas/AssetFilename"}


def _dataset(api: Api) -> str:
    dataset = "ds-" + uuid.uuid4().hex[:10]
    api.create_dataset(dataset)
    return dataset


@pytest.mark.parametrize(
    "text",
    ['{"filename": "x"}', "{'filename': 'x'}", '{"filename": ["x", "y"], "status": "active"}', "{}", ""],
    ids=["json", "python-repr", "json-list", "empty-object", "empty"],
)
def test_server_takes_json_and_the_official_python_repr(api: Api, text: str) -> None:
    dataset = _dataset(api)
    for path in ("/assets", "/assets:count"):
        r = api.http.get(f"{api.ds(dataset)}{path}", params={"filter": text})
        assert r.status_code == 200, (path, r.text)


@pytest.mark.parametrize("text", ['"status"', "[1, 2]", "42", "null", "not json", '{"nope": 1}'])
def test_server_refuses_a_filter_that_is_not_an_object_of_known_fields(api: Api, text: str) -> None:
    dataset = _dataset(api)
    r = api.http.get(f"{api.ds(dataset)}/assets", params={"filter": text})
    assert r.status_code == 400, r.text
    assert "filter" in r.json()["message"]


@pytest.mark.parametrize("name", [n for n in NAMES if not PATTERN.search(n)], ids=repr)
def test_server_refuses_filenames_outside_the_pattern(api: Api, name: str) -> None:
    dataset = _dataset(api)
    spec = {"assets": [{"filename": name, "mime": "image/jpeg", "size": 1, "kind": "Image"}], "kind": "Upload",
            "failureMode": "FailAfterAll", "onAssetOverwritten": "RemoveLinkedResource"}  # fmt: skip
    r = api.http.post(f"{api.ds(dataset)}/{SOURCE}/assetIngestionSessions", json={"spec": spec})
    assert r.status_code == 400, name
    assert "filename" in r.json()["message"]


def _hooks() -> Any:
    spec = importlib.util.spec_from_file_location("contract_hooks_under_test", ROOT / "contract" / "hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("body", "repeats"),
    [({"spec": {"assets": [{"filename": "a"}, {"filename": "a"}]}}, True),
     ({"spec": {"assets": [{"filename": "a"}, {"filename": "b"}]}}, False),
     ({"spec": {"assets": []}}, False), ({"spec": None}, False), ([], False), (None, False)],
)  # fmt: skip
def test_the_contract_hook_drops_only_sessions_that_repeat_a_filename(body: Any, repeats: bool) -> None:
    assert _hooks().repeats_a_filename(body) is repeats


def test_the_contract_run_no_longer_accepts_400_for_session_creation() -> None:
    template = (ROOT / "contract" / "schemathesis.toml").read_text(encoding="utf-8")
    config = tomllib.loads(re.sub(r"\$\{VI_\w+\}", "1", template))  # the run fills these in
    (rule,) = [o for o in config["operations"] if o["include-operation-id"] == "createAssetIngestionSession"]
    assert "400" not in rule["checks"]["positive_data_acceptance"]["expected-statuses"]
