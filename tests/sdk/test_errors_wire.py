"""Errors as they arrive from the real service and its gateways (issue 15.3), via httpx.MockTransport."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from tests.helpers.fake_vi import KEY, ORG
from tools.generate import ROOT
from vi_ext import Client, ViServerError
from vi_ext.errors import ViError, ViNotFoundError, ViValidationError, error_from_response, trace_id

SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
TRACE = "105445aa7843bc8bf206b12000100000/1;o=1"


def client_for(response: httpx.Response) -> Client:
    return Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(lambda _: response),
                  sleep=lambda _: None, max_retries=0)  # fmt: skip


def _operations() -> list[tuple[str, dict[str, Any]]]:
    return [
        (op["operationId"], op)
        for item in SPEC["paths"].values()
        for method, op in item.items()
        if method in {"get", "post", "put", "delete", "patch"}
    ]


@pytest.mark.parametrize(("operation_id", "op"), _operations(), ids=[o for o, _ in _operations()])
def test_every_operation_documents_gateway_errors(operation_id: str, op: dict[str, Any]) -> None:
    for status in ("502", "503", "504"):
        ref = op["responses"][status]["$ref"]
        response = SPEC["components"]["responses"][ref.rsplit("/", 1)[1]]
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        assert "x-cloud-trace-context" in response["headers"]


@pytest.mark.parametrize(
    ("body", "valid"),
    [({"message": "m"}, True), ({"error": "e"}, True), ({"message": "m", "error": "e", "code": "C"}, True),
     ({}, False), ({"code": "ServerError"}, False)],
)  # fmt: skip
def test_error_schema_takes_message_or_error(body: dict[str, Any], valid: bool) -> None:
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/components/schemas/Error", "components": SPEC["components"]}
    )
    assert validator.is_valid(body) == valid


def test_an_error_field_is_used_when_message_is_missing() -> None:
    client = client_for(httpx.Response(404, json={"error": "no such dataset"}))
    with pytest.raises(ViNotFoundError) as caught:
        client.datasets.get("ds")
    assert caught.value.message == "no such dataset"


def test_a_nested_error_object_gives_message_and_code() -> None:
    body = {"error": {"code": 400, "message": "bad filter", "status": "INVALID_ARGUMENT"}}
    error = error_from_response(400, httpx.Response(400, json=body).content)
    assert isinstance(error, ViValidationError)
    assert (error.message, error.error_code) == ("bad filter", "INVALID_ARGUMENT")


def test_message_wins_over_error() -> None:
    error = error_from_response(409, b'{"message": "exists", "error": "Conflict"}')
    assert error.message == "exists"


@pytest.mark.parametrize(
    ("status", "code"),
    [(502, "NetworkError"), (503, "ServiceUnavailable"), (504, "TimeoutError"), (500, "ServerError")],
)
def test_gateway_statuses_get_the_official_codes(status: int, code: str) -> None:
    client = client_for(httpx.Response(status, text="<html>upstream</html>", headers={"x-cloud-trace-context": TRACE}))
    with pytest.raises(ViServerError) as caught:
        client.assets.list("ds")
    assert (caught.value.status_code, caught.value.error_code) == (status, code)
    assert caught.value.request_id == "105445aa7843bc8bf206b12000100000"


def test_a_code_in_the_body_wins_over_the_gateway_default() -> None:
    error = error_from_response(503, b'{"message": "maintenance", "code": "Maintenance"}')
    assert error.error_code == "Maintenance"


def test_trace_header_becomes_request_id_and_is_shown() -> None:
    client = client_for(
        httpx.Response(404, json={"message": "asset 'a' not found"}, headers={"X-Cloud-Trace-Context": TRACE})
    )
    with pytest.raises(ViError) as caught:
        client.assets.get("ds", "a")
    assert caught.value.request_id == "105445aa7843bc8bf206b12000100000"
    assert str(caught.value) == "asset 'a' not found (HTTP 404, request 105445aa7843bc8bf206b12000100000)"


def test_no_trace_header_means_no_request_id() -> None:
    client = client_for(httpx.Response(404, json={"message": "gone"}))
    with pytest.raises(ViError) as caught:
        client.assets.get("ds", "a")
    assert caught.value.request_id is None
    assert str(caught.value) == "gone (HTTP 404)"


def test_a_malformed_success_answer_keeps_the_trace_id() -> None:
    client = client_for(httpx.Response(200, text="{oops", headers={"x-cloud-trace-context": TRACE}))
    with pytest.raises(ViServerError) as caught:
        client.datasets.get("ds")
    assert caught.value.request_id == "105445aa7843bc8bf206b12000100000"


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("", None), ("abc", "abc"), ("abc/123", "abc"), ("abc/123;o=1", "abc"), ("abc;o=1", "abc"),
     ("/123", None)],
)  # fmt: skip
def test_trace_id_parsing(header: str | None, expected: str | None) -> None:
    assert trace_id(header) == expected
