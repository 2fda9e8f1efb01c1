"""Issue 15.6: the contract run reaches every operation, fails on missing data, and cleans up on other servers."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from tests.helpers.server_harness import RunningServer
from tools import contract, contract_hooks

ROOT = Path(__file__).resolve().parents[2]


def test_every_spec_operation_is_expected() -> None:
    ops = contract.operation_ids(ROOT / "openapi.yaml")
    assert len(ops) == len(set(ops)) == 23
    assert {"deleteDataset", "renameAsset", "listAssetIngestionSessions", "completeMultipartUploadPart"} <= set(ops)


def test_status_log_and_unreached_operations() -> None:
    seen = contract.parse_status_log(["getAsset 200", "getAsset 404", "deleteAsset 404", "deleteAsset 404",
                                      "renameAsset 409", "garbage", ""])  # fmt: skip
    assert seen["getAsset"] == Counter({200: 1, 404: 1})
    problems = contract.unreached(["getAsset", "deleteAsset", "renameAsset", "countAssets"], seen)
    assert problems == [
        "deleteAsset: never answered 2xx (404×2)",
        "renameAsset: never answered 2xx (409×1)",
        "countAssets: never answered 2xx (never called)",
    ]
    assert contract.unreached(["getAsset"], seen) == []


def test_rendered_config_is_valid_toml_and_keeps_the_key_a_variable(tmp_path: Path) -> None:
    template = (ROOT / "contract" / "schemathesis.toml").read_text(encoding="utf-8")
    names = set(contract._VAR.findall(template)) - {"VI_KEY"}
    values = {name: f'v"{name}\\' for name in names} | {"VI_BIG_SIZE": "50000", "VI_FOREIGN_400": "400"}
    rendered = tomllib.loads(contract.render_config(ROOT / "contract" / "schemathesis.toml", values, tmp_path)
                             .read_text(encoding="utf-8"))  # fmt: skip
    assert rendered["headers"]["Authorization"] == "Bearer ${VI_KEY}"
    assert rendered["parameters"]["path.assetId"] == 'v"VI_ASSET\\'
    assert rendered["dictionaries"]["big-size"] == {"values": [50000]}
    ops = {o["include-operation-id"]: o for o in rendered["operations"]}
    assert ops["deleteAsset"]["parameters"] == {"path.assetId": 'v"VI_ASSET_DELETE\\'}
    assert "400" in ops["getMultipartUploadPartUrl"]["checks"]["positive_data_acceptance"]["expected-statuses"]


def test_no_blanket_400_where_the_data_makes_the_request_valid(tmp_path: Path) -> None:
    template = ROOT / "contract" / "schemathesis.toml"
    values = dict.fromkeys(contract._VAR.findall(template.read_text(encoding="utf-8")), "1") | {"VI_FOREIGN_400": "2xx"}
    rules = tomllib.loads(contract.render_config(template, values, tmp_path).read_text(encoding="utf-8"))["operations"]
    accepted = {o["include-operation-id"]: o.get("checks", {}).get("positive_data_acceptance", {})
                .get("expected-statuses", []) for o in rules}  # fmt: skip
    for op in ("createMultipartUpload", "getMultipartUploadPartUrl", "completeMultipartUploadPart",
               "completeMultipartUpload", "deleteAsset", "updateDataset", "deleteDataset"):  # fmt: skip
        assert "400" not in accepted.get(op, []), op


def _case(negative: bool, location: str | None, parameter: str | None, mutations: list[tuple[str, str]]) -> object:
    data = SimpleNamespace(
        parameter_location=None if location is None else SimpleNamespace(value=location), parameter=parameter,
        mutations=[SimpleNamespace(parameter_location=SimpleNamespace(value=loc), parameter=p) for loc, p in mutations],
    )  # fmt: skip
    meta = SimpleNamespace(generation=SimpleNamespace(mode=SimpleNamespace(is_negative=negative)),
                           phase=SimpleNamespace(data=data))  # fmt: skip
    return SimpleNamespace(meta=meta)


@pytest.mark.parametrize(
    ("case", "dropped"),
    [
        (_case(True, "path", "multipartUploadId", []), True),
        (_case(True, "path", None, [("path", "datasetId"), ("path", "assetId")]), True),
        (_case(True, "path", "partNumber", []), False),
        (_case(True, "path", None, [("path", "datasetId"), ("query", "s")]), False),
        (_case(True, "query", "s", []), False),
        (_case(False, "path", "datasetId", []), False),
        (SimpleNamespace(meta=None), False),
    ],
)  # fmt: skip
def test_only_negative_cases_of_pinned_path_parameters_are_dropped(case: object, dropped: bool) -> None:
    assert contract_hooks.mutates_only_pinned_path(case) is dropped
    assert contract_hooks.filter_case(None, case) is not dropped


def test_against_another_server_it_leaves_the_organization_as_it_found_it(tmp_path: Path) -> None:
    server = RunningServer(tmp_path / "data").start()
    try:
        http = httpx.Client(base_url=server.endpoint, headers={"Authorization": f"Bearer {server.key}",
                                                               "Organization-Id": server.org})  # fmt: skip
        http.post(f"/workspaces/{server.org}/datasets", json={"name": "theirs", "datasetId": "theirs"})
        before = [
            d["datasetId"] for d in http.get(f"/workspaces/{server.org}/datasets", params={"s": 100}).json()["items"]
        ]
        run = subprocess.run(
            [sys.executable, "-m", "tools.contract", "--quick", "--examples", "2", "--url", server.endpoint,
             "--key", server.key, "--org", server.org],
            cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
        after = [
            d["datasetId"] for d in http.get(f"/workspaces/{server.org}/datasets", params={"s": 100}).json()["items"]
        ]
        assert after == before, run.stdout[-3000:]
        assert "contract: deleted dataset contract-" in run.stdout
        assert "operations answered 2xx" in run.stdout
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    finally:
        server.stop()
