"""The listing's direct decoder (`vi_ext.fast_decode`) gives exactly what the generated path gives.

The reference is `fast_decode.generated_asset` (the generated models, then `vi_ext.convert`).
Items are generated from the spec's ``Asset`` schema (every optional key present or absent, every nullable value null or
not, unknown extra keys, unknown enum-like strings), then also broken at a random place: the
direct decoder must either give the reference's value or step aside (``None``) so the generated
path decides, error included.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.fake_vi import KEY, ORG
from tools.generate import ROOT
from vi_ext import Client, fast_decode
from vi_ext import models as m
from vi_ext.errors import ViServerError

COMPONENTS = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))["components"]
SCHEMAS: dict[str, Any] = COMPONENTS["schemas"]
VALIDATOR = jsonschema.Draft202012Validator({"$ref": "#/components/schemas/Asset", "components": COMPONENTS})
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
ANY_JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3), max_leaves=6
)


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """JSON documents valid for ``schema`` (the subset of JSON Schema the Asset schemas use)."""
    if "$ref" in schema:
        return from_schema(SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]])
    if "anyOf" in schema:
        return st.one_of([from_schema(s) for s in schema["anyOf"]])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}) for k in kind])
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"))
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"].rstrip("$") + r"\Z", fullmatch=True).filter(
                lambda s: 0 < len(s) < 256
            )
        return st.text(max_size=12)
    if kind == "array":
        return st.lists(from_schema(schema["items"]), max_size=3)
    if kind == "object" or "properties" in schema:
        return _object(schema)
    raise AssertionError(f"schema the generator does not know: {schema}")


@st.composite
def _object(draw: st.DrawFn, schema: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    out: dict[str, Any] = {}
    for name, sub in props.items():
        if name in required or draw(st.booleans()):
            out[name] = draw(from_schema(sub))
    extra = schema.get("additionalProperties", True)
    values = ANY_JSON if extra is True else from_schema(extra)
    for key, value in draw(st.dictionaries(KEYS, values, max_size=3 if extra is not True or not props else 1)).items():
        if key not in props:
            out[key] = value  # unknown fields the service may add
    return out


@st.composite
def assets(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = draw(from_schema(SCHEMAS["Asset"]))
    if draw(st.booleans()):
        doc["datasetId"] = f"{ORG}_{doc['datasetId']}"  # the usual composite id
    return doc


def reference(item: Any) -> tuple[str, Any]:
    """The generated path's outcome: the asset, or the type of the error it raises."""
    try:
        return "ok", fast_decode.generated_asset(item, ORG)
    except Exception as exc:
        return "error", type(exc)


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``doc`` (object keys and list indexes)."""
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out += paths(value, (*prefix, i))
    return out


# ---------------------------------------------------------------- property: spec-valid items
@SETTINGS
@given(assets())
def test_every_item_the_spec_allows_decodes_directly_to_the_generated_paths_value(doc: dict[str, Any]) -> None:
    VALIDATOR.validate(doc)  # the generator stays inside the spec
    kept = copy.deepcopy(doc)
    got = fast_decode.try_asset(doc, ORG)
    assert got is not None, "a spec-valid item must not need the generated path"
    assert ("ok", got) == reference(kept)
    assert repr(got) == repr(reference(kept)[1])  # same types too (1 == 1.0 == True would hide a change)
    assert doc == kept  # the input is not modified


# ---------------------------------------------------------------- property: broken items
@SETTINGS
@given(assets(), st.data())
def test_a_broken_item_gives_the_generated_paths_value_or_its_error(doc: Any, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(paths(doc)))
    if not path:
        doc = data.draw(ANY_JSON)  # not an object at all
    else:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        if isinstance(node, dict) and data.draw(st.booleans()):
            del node[path[-1]]
        else:
            node[path[-1]] = data.draw(ANY_JSON)
    expected = reference(copy.deepcopy(doc))
    direct = fast_decode.try_asset(copy.deepcopy(doc), ORG)
    if direct is not None:  # decoded directly: must be exactly the generated path's value
        assert expected == ("ok", direct)
        assert repr(direct) == repr(expected[1])
    try:
        outcome: tuple[str, Any] = ("ok", fast_decode.asset(doc, ORG))
    except Exception as exc:
        outcome = ("error", type(exc))
    assert outcome == expected


# ---------------------------------------------------------------- hand-made corpus
SIGNED = {"url": "http://storage.test/a", "expiry": 4102444800000, "headers": {"X-A": "1"}, "method": "GET"}
FULL: dict[str, Any] = {
    **copy.deepcopy(SCHEMAS["Asset"]["example"]),
    "datasetId": f"{ORG}_ds_with_underscores",
    "contents": {"asset": SIGNED, "thumbnail": {**SIGNED, "url": "http://storage.test/t"}},
}
FULL["metadata"].update(
    cohorts=["c1", "c2"], userDefined={"a": {"nested": [1, None]}}, customMetadata={"s": "x", "i": 1, "f": 1.5, "b": True},
    framesChange={"1": 2}, annotations={"withTag": {"cat": 3}, "total": 3},
    dimensions={"height": 1, "width": 2, "depth": 3}, pixelRatio={"height": 1, "width": 1, "depth": 1},
)  # fmt: skip
OPTIONAL = [("contents",), ("contents", "asset"), ("contents", "thumbnail"), ("contents", "asset", "headers"),
            ("contents", "asset", "method"), ("metadata", "dimensions", "depth"), ("metadata", "pixelRatio", "depth")]  # fmt: skip


def _at(doc: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = doc
    for key in path[:-1]:
        node = node[key]
    return node


def _corpus() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = [("full", FULL), ("example", copy.deepcopy(SCHEMAS["Asset"]["example"]))]
    for path in OPTIONAL:
        for how in ("null", "absent"):
            doc = copy.deepcopy(FULL)
            node = _at(doc, path)
            if how == "null":
                node[path[-1]] = None
            else:
                del node[path[-1]]
            cases.append((f"{'.'.join(path)}={how}", doc))
    unknown = copy.deepcopy(FULL)
    unknown["kind"], unknown["metadata"]["status"], unknown["metadata"]["uploadStatus"] = "Pointcloud", "frozen", "?"
    unknown["newField"], unknown["metadata"]["newField"], unknown["contents"]["asset"]["newField"] = 1, [2], {"x": 3}
    cases.append(("unknown enum values and extra fields", unknown))
    other_org = copy.deepcopy(FULL)
    other_org["datasetId"] = "someone-else_ds"
    cases.append(("a dataset id without this organization's prefix", other_org))
    return cases


@pytest.mark.parametrize(("name", "doc"), _corpus(), ids=[n for n, _ in _corpus()])
def test_corpus_decodes_directly_to_the_generated_paths_value(name: str, doc: dict[str, Any]) -> None:
    VALIDATOR.validate(doc)
    got = fast_decode.try_asset(doc, ORG)
    assert got is not None
    assert ("ok", got) == reference(doc)
    assert repr(got) == repr(reference(doc)[1])


def test_the_decoded_asset_shares_no_mutable_value_with_the_json() -> None:
    doc = copy.deepcopy(FULL)
    got = fast_decode.asset(doc, ORG)
    md = doc["metadata"]
    for mutable in (md["cohorts"], md["userDefined"], md["customMetadata"], md["framesChange"],
                    md["annotations"]["withTag"], doc["contents"]["asset"]["headers"]):  # fmt: skip
        mutable.clear()
    assert got == reference(copy.deepcopy(FULL))[1]


@pytest.mark.parametrize(
    "broken",
    [
        {"assetId": "x"},
        {**FULL, "metadata": None},
        {**FULL, "contents": "not an object"},
        {**FULL, "contents": {"asset": {"expiry": 1}}},
        {**FULL, "contents": {"asset": [["url", "u"], ["expiry", 1]]}},
        {**FULL, "contents": {"asset": {**SIGNED, "headers": [["X-A", "1"]]}}},
        {**FULL, "contents": {"asset": {**SIGNED, "headers": "X-A: 1"}}},
        {**FULL, "metadata": {**FULL["metadata"], "customMetadata": None}},
        {**FULL, "metadata": {**FULL["metadata"], "cohorts": "c1"}},
        {**FULL, "metadata": {**FULL["metadata"], "annotations": {"withTag": [["cat", 1]], "total": 1}}},
    ],
    ids=[
        "missing keys",
        "null metadata",
        "contents a string",
        "signed request without url",
        "signed request a list",
        "headers a list of pairs",
        "headers a string",
        "null customMetadata",
        "cohorts a string",
        "withTag a list of pairs",
    ],
)
def test_an_unusual_item_goes_through_the_generated_path(broken: dict[str, Any]) -> None:
    """Stepping aside: a refused item is a ServerError from the listing, an accepted one its value."""
    assert fast_decode.try_asset(broken, ORG) is None
    client = Client(KEY, ORG, "http://vi.test", sleep=lambda _: None, transport=httpx.MockTransport(
        lambda _: httpx.Response(200, json={"items": [FULL, broken], "nextPage": None})))  # fmt: skip
    expected = reference(copy.deepcopy(broken))
    if expected[0] == "error":
        with pytest.raises(ViServerError, match="unexpected answer"):
            client.assets.list("ds")
    else:  # the generated path accepts it (e.g. a string as cohorts becomes its characters): same value
        assert client.assets.list("ds").items[1] == expected[1]


# ---------------------------------------------------------------- the listing uses it
def test_the_listing_decodes_without_the_generated_models(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> Any:
        raise AssertionError("the hot listing went through the generated models")

    expected = reference(FULL)[1]
    monkeypatch.setattr(fast_decode, "generated_asset", refuse)
    client = Client(KEY, ORG, "http://vi.test", sleep=lambda _: None, transport=httpx.MockTransport(
        lambda _: httpx.Response(200, json={"items": [FULL] * 3, "nextPage": None})))  # fmt: skip
    items = client.assets.list("ds").items
    assert items == [expected] * 3
    assert all(isinstance(a, m.Asset) for a in items)


# ---------------------------------------------------------------- pipelining: decode while the next page is fetched
def _pages(pages: list[list[Any]]) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        k = int(request.url.params.get("p", "0"))
        return httpx.Response(200, json={"items": pages[k], "nextPage": str(k + 1) if k + 1 < len(pages) else None})

    return Client(KEY, ORG, "http://vi.test", sleep=lambda _: None, transport=httpx.MockTransport(handler))


def test_all_items_decodes_a_page_in_the_consuming_thread_while_the_next_is_fetched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The prefetch thread only fetches; decoding there would serialise fetch and decode again."""
    decoded_in: list[str] = []
    plain = fast_decode.assets

    def recording(items: list[Any], org: str) -> list[m.Asset]:
        decoded_in.append(threading.current_thread().name)
        return plain(items, org)

    monkeypatch.setattr(fast_decode, "assets", recording)
    docs = [[{**FULL, "assetId": f"a{k}{i}"} for i in range(2)] for k in range(4)]
    got = [a.asset_id for a in _pages(docs).assets.list("ds").all_items()]
    assert got == [d["assetId"] for page in docs for d in page]
    assert decoded_in == [threading.current_thread().name] * 4


def test_a_broken_item_on_a_later_page_is_a_server_error_where_that_page_is_consumed() -> None:
    pages = _pages([[FULL], [{"assetId": "x"}]]).assets.list("ds")
    seen: list[str] = []
    with pytest.raises(ViServerError, match="unexpected answer"):
        seen.extend(a.asset_id for a in pages.all_items())
    assert seen == [FULL["assetId"]]
    with pytest.raises(ViServerError, match="unexpected answer"):
        [page.items for page in pages]


# ---------------------------------------------------------------- the constructor shortcut stays valid
@pytest.mark.parametrize("cls", fast_decode.BUILT, ids=lambda c: c.__name__)
def test_the_classes_built_without_init_are_plain_frozen_dataclasses(cls: type) -> None:
    """`fast_decode._build` is only `cls(**fields)` while ``__init__`` does nothing but set fields."""
    assert dataclasses.is_dataclass(cls)
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert not hasattr(cls, "__post_init__")
    assert "__slots__" not in vars(cls)
    assert all(f.init for f in dataclasses.fields(cls))


def _shape(value: Any) -> Any:
    """Every dataclass in ``value`` as (class, its instance dict in order), recursively."""
    if dataclasses.is_dataclass(value):
        return type(value), [(k, _shape(v)) for k, v in vars(value).items()]
    return value


@pytest.mark.parametrize(("name", "doc"), _corpus(), ids=[n for n, _ in _corpus()])
def test_directly_built_objects_hold_the_same_attributes_in_the_same_order(name: str, doc: dict[str, Any]) -> None:
    got = fast_decode.try_asset(doc, ORG)
    assert _shape(got) == _shape(reference(doc)[1])
    for obj in (got, got.metadata if got else None):
        assert [f.name for f in dataclasses.fields(obj)] == list(vars(obj))  # type: ignore[arg-type]
