"""The spec, its examples and the generated client (issue 2)."""

from __future__ import annotations

import enum
import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate

from tests.helpers.import_graph import imports_of
from tools.client_spec import transform
from tools.generate import ROOT, TARGET, drift, generate_into

SPEC_PATH = ROOT / "openapi.yaml"
STORAGE_PATH = ROOT / "storage.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]

DS = "/workspaces/{organizationId}/datasets/{datasetId}"
SRC = DS + "/assetSources/{assetSourceClass}/{assetSourceProvider}/{assetSourceId}"
SESSION = SRC + "/assetIngestionSessions/{assetIngestionSessionId}"
MULTI = SRC + "/multipartUploads/{multipartUploadId}"

# (operationId, method, path) as in the wire doc (§2); the dataset segment is the composite id.
WIRE_OPERATIONS = [
    ("listDatasets", "get", "/workspaces/{organizationId}/datasets"),
    ("createDataset", "post", "/workspaces/{organizationId}/datasets"),
    ("getDataset", "get", DS),
    ("listAssets", "get", DS + "/assets"),
    ("getAsset", "get", DS + "/assets/{assetId}"),
    ("deleteAsset", "delete", DS + "/assets/{assetId}"),
    ("countAssets", "get", DS + "/assets:count"),
    ("createAssetIngestionSession", "post", SRC + "/assetIngestionSessions"),
    ("getAssetIngestionSession", "get", SESSION),
    ("cancelAssetIngestionSession", "post", SESSION + ":cancel"),
    ("createMultipartUpload", "post", SRC + "/multipartUploads"),
    ("getMultipartUploadPartUrl", "post", MULTI + "/parts/{partNumber}"),
    ("completeMultipartUploadPart", "post", MULTI + "/parts/{partNumber}/completion"),
    ("completeMultipartUpload", "post", MULTI + "/completion"),
    ("abortMultipartUpload", "delete", MULTI),
    ("createDeleteManyAssetsSession", "post", DS + "/deleteManyAssetsSessions"),
    (
        "getDeleteManyAssetsSession",
        "get",
        DS + "/deleteManyAssetsSessions/{deleteManyAssetsSessionId}",
    ),
    ("listDeleteManyAssetsSessions", "get", DS + "/deleteManyAssetsSessions"),
    # Issue 15.5: the dataset and session operations users need (wire doc §2.7, §2.16; official client).
    ("updateDataset", "patch", DS),
    ("deleteDataset", "delete", DS),
    ("getDatasetDeleteOperation", "get", DS + "/deleteOperation"),
    ("renameAsset", "post", DS + "/assets/{assetId}/name"),
    ("listAssetIngestionSessions", "get", SRC + "/assetIngestionSessions"),
]
LIST_ASSET_PARAMS = {
    "p", "s", "sortBy", "o", "filter", "contents",
    "metadataQuery", "ruleQuery", "pageAfter", "strictQuery",
}  # fmt: skip
INGESTION_ERROR_CODES = {
    "EALREADY", "EBADMIME", "EBADSIZE", "ECORRUPT", "ENOQUOTA", "EOLDMETA",
    "ETIMEOUT", "ERESNENT", "EPROJECT", "ENOASSET", "ESEQMETA", "EUNKNOWN",
}  # fmt: skip


def _operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    found: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "delete", "patch"}:
                found[op["operationId"]] = (method, path, op)
    return found


def _validate_example(schema: dict[str, Any], example: Any) -> None:
    validator = jsonschema.Draft202012Validator({**schema, "components": SPEC["components"]})
    validator.validate(example)


@pytest.mark.parametrize("path", [SPEC_PATH, STORAGE_PATH], ids=lambda p: p.name)
def test_spec_is_valid_openapi(path: Path) -> None:
    validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(("operation_id", "method", "path"), WIRE_OPERATIONS)
def test_every_wire_operation_exists(operation_id: str, method: str, path: str) -> None:
    ops = _operations(SPEC)
    assert operation_id in ops, f"{operation_id} missing"
    assert ops[operation_id][:2] == (method, path)


def test_no_operation_beyond_the_wire_list() -> None:
    assert set(_operations(SPEC)) == {op for op, _, _ in WIRE_OPERATIONS}


def test_every_operation_is_secured_and_declares_errors() -> None:
    for op_id, (_, _, op) in _operations(SPEC).items():
        assert op["security"] == [{"bearerAuth": [], "organizationId": []}], op_id
        for status in ("400", "401", "403", "404", "429", "500"):
            ref = op["responses"][status]["$ref"]
            body = SPEC["components"]["responses"][ref.rsplit("/", 1)[1]]
            assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (
                op_id,
                status,
            )


def test_list_assets_takes_every_wire_query_parameter() -> None:
    _, _, op = _operations(SPEC)["listAssets"]
    names = set()
    for param in op["parameters"]:
        if "$ref" in param:
            param = SPEC["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        names.add(param["name"])
    assert names == LIST_ASSET_PARAMS


def test_session_create_accepts_at_most_10000_assets() -> None:
    assets = SCHEMAS["AssetIngestionSessionCreateSpec"]["properties"]["assets"]
    assert assets["maxItems"] == 10_000


def test_ingestion_error_codes_and_event_tags() -> None:
    assert set(SCHEMAS["AssetIngestionError"]["enum"]) == INGESTION_ERROR_CODES
    assert SCHEMAS["AssetIngestionErrorEvent"]["properties"]["kind"]["const"] == "Error"
    assert SCHEMAS["AssetIngestionProgressEvent"]["properties"]["kind"]["const"] == "Progress"
    assert len(SCHEMAS["AssetMetadata"]["required"]) == 25


def test_every_schema_has_an_example() -> None:
    missing = [name for name, schema in SCHEMAS.items() if "example" not in schema]
    assert missing == []


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_example_is_valid_for_its_schema(name: str) -> None:
    _validate_example(SCHEMAS[name], SCHEMAS[name]["example"])


def _generated(name: str) -> Any:
    models = importlib.import_module("vi_ext._generated.models")
    return getattr(models, name, None)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_example_round_trips_through_generated_model(name: str) -> None:
    example = SCHEMAS[name]["example"]
    cls = _generated(name)
    if cls is None:
        client_schema = transform(SPEC)["components"]["schemas"][name]
        assert "properties" not in client_schema, f"{name}: object schema without a model"
        return
    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        assert cls(example).value == example
        return
    assert cls.from_dict(example).to_dict() == example


def test_generated_models_tolerate_unknown_values_and_fields() -> None:
    """A newer server (unknown enum values, event kinds, fields) never breaks decoding."""
    session = dict(SCHEMAS["AssetIngestionSession"]["example"])
    session["brandNewField"] = {"x": 1}
    session["spec"] = {**session["spec"], "failureMode": "FailAfterSome"}
    session["status"] = {
        **session["status"],
        "conditions": [{"condition": "Uploaded", "status": "Pending", "lastTransitionTime": 1}],
        "events": [
            {"kind": "Error", "files": {"a.jpg": "ENEWCODE"}, "corrections": {}, "time": 1},
            {"kind": "Audit", "who": "someone"},
        ],
    }
    cls = _generated("AssetIngestionSession")
    decoded = cls.from_dict(session)
    assert decoded.to_dict() == session
    assert decoded.spec.failure_mode == "FailAfterSome"
    assert decoded.status.events[1].kind == "Audit"


def test_generated_package_is_only_imported_by_vi_ext() -> None:
    offenders = []
    for root, tree in (
        ("packages/vi-ext-compat/src", "vi"),
        ("packages/vi-ext-server/src", "vi_server"),
        (".", "tests"),
    ):
        for file in (ROOT / root / tree).rglob("*.py"):
            names = imports_of(ROOT / root, file)
            if any(n.startswith("vi_ext._generated") for n in names):
                offenders.append(str(file.relative_to(ROOT)))
    assert offenders == []


def test_generated_code_is_in_sync_with_the_spec(tmp_path: Path) -> None:
    fresh = generate_into(SPEC_PATH, tmp_path)
    assert drift(fresh, TARGET) == []


def test_check_names_the_drift_after_a_spec_edit(tmp_path: Path) -> None:
    edited = tmp_path / "openapi.yaml"
    text = SPEC_PATH.read_text(encoding="utf-8")
    edited.write_text(text.replace("Get one asset.", "Get exactly one asset."), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "tools.generate", "--check", "--spec", str(edited)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "differs: packages/vi-ext/src/vi_ext/_generated/api/assets/get_asset.py" in run.stdout
    assert "Get exactly one asset." in run.stdout
