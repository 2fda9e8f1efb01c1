"""Retries are idempotent and the API client never follows a redirect to another origin (issue 13.8)."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import yaml

from tests.helpers.server_harness import RunningServer
from tools.generate import ROOT
from vi_ext import Client, ViConflictError, ViNetworkError, ViServerError

SCHEMAS = yaml.safe_load((ROOT / "openapi.yaml").read_text())["components"]["schemas"]
ORG = "org-1"
KEY = "dtvi_" + "k" * 98
Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler, endpoint: str = "http://vi.test/api") -> Client:
    return Client(KEY, ORG, endpoint, transport=httpx.MockTransport(handler), sleep=lambda _: None)


def dataset_json(ds: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(SCHEMAS["Dataset"]["example"])
    data.update(datasetId=f"{ORG}_{ds}", name=name, owner=ORG)
    return data


class FakeDatasets:
    """A dataset store whose first create answer is lost after the work was done."""

    def __init__(self, lose: type[httpx.TransportError] | int | None = httpx.ReadError) -> None:
        self.lose = lose
        self.stored: dict[str, dict[str, Any]] = {}
        self.posts = 0
        self.gets = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.posts += 1
            body = json.loads(request.content)
            ds = body.get("datasetId") or f"ds-{self.posts}"
            if ds in self.stored:
                return httpx.Response(409, json={"message": f"dataset {ds} exists"})
            self.stored[ds] = dataset_json(ds, body["name"])
            if self.posts == 1 and self.lose is not None:
                if isinstance(self.lose, int):
                    return httpx.Response(self.lose, json={"message": "gateway lost the answer"})
                raise self.lose("connection reset after the server did the work", request=request)
            return httpx.Response(201, json=self.stored[ds])
        self.gets += 1
        ds = request.url.path.rsplit("/", 1)[-1].removeprefix(f"{ORG}_")
        if ds not in self.stored:
            return httpx.Response(404, json={"message": "no such dataset"})
        return httpx.Response(200, json=self.stored[ds])


@pytest.mark.parametrize("lose", [httpx.ReadError, httpx.RemoteProtocolError, 502, 503])
def test_a_retried_create_whose_answer_was_lost_returns_its_dataset(lose: type[httpx.TransportError] | int) -> None:
    fake = FakeDatasets(lose)
    dataset = client_for(fake).datasets.create("Pets", dataset_id="pets")
    assert (dataset.dataset_id, dataset.name) == ("pets", "Pets")
    assert (fake.posts, fake.gets) == (2, 1)


def test_a_create_that_was_not_retried_still_reports_the_conflict() -> None:
    fake = FakeDatasets(lose=None)
    fake.stored["pets"] = dataset_json("pets", "Pets")
    with pytest.raises(ViConflictError, match="exists"):
        client_for(fake).datasets.create("Pets", dataset_id="pets")
    assert (fake.posts, fake.gets) == (1, 0)


def test_a_retried_conflict_with_someone_elses_dataset_is_reported() -> None:
    class Taken(FakeDatasets):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and self.posts == 0:
                self.posts += 1
                return httpx.Response(503)
            return super().__call__(request)

    fake = Taken(lose=None)
    fake.stored["pets"] = dataset_json("pets", "Other people's pets")
    with pytest.raises(ViConflictError):
        client_for(fake).datasets.create("Pets", dataset_id="pets")


def test_a_create_without_id_is_never_resent_once_it_may_have_been_done() -> None:
    fake = FakeDatasets(httpx.ReadError)
    with pytest.raises(ViNetworkError):
        client_for(fake).datasets.create("Pets")
    assert (fake.posts, len(fake.stored)) == (1, 1)  # one dataset, not two
    fake = FakeDatasets(502)
    with pytest.raises(ViServerError):
        client_for(fake).datasets.create("Pets")
    assert (fake.posts, len(fake.stored)) == (1, 1)


@pytest.mark.parametrize("refusal", ["connect", 429])
def test_a_create_without_id_is_resent_when_the_server_never_saw_it(refusal: str | int) -> None:
    fake = FakeDatasets(lose=None)
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            if refusal == "connect":
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(429, headers={"Retry-After": "0"})
        return fake(request)

    assert client_for(handler).datasets.create("Pets").name == "Pets"
    assert (calls, len(fake.stored)) == (["POST", "POST"], 1)


class LoseFirstCreateAnswer(httpx.BaseTransport):
    """Sends to the real server; the answer of the first dataset POST is lost on the way back."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.lost = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST" and request.url.path.endswith("/datasets") and not self.lost:
            response.read()
            self.lost = True
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


def test_end_to_end_a_lost_create_answer_returns_the_created_dataset(server: RunningServer) -> None:
    ds = "idem-" + uuid.uuid4().hex[:8]
    transport = LoseFirstCreateAnswer()
    with Client(server.key, server.org, server.endpoint, transport=transport, sleep=lambda _: None) as client:
        dataset = client.datasets.create("Idempotent", dataset_id=ds)
        assert transport.lost
        assert (dataset.dataset_id, dataset.name) == (ds, "Idempotent")
        assert [d.dataset_id for d in client.datasets.list().all_items()].count(ds) == 1


# ---------------------------------------------------------------- redirects
@pytest.mark.parametrize(
    "location",
    ["http://evil.test/api/workspaces/org-1/datasets", "https://vi.test/api/workspaces/org-1/datasets",
     "http://vi.test:8080/api/workspaces/org-1/datasets", "//evil.test/x"],
)  # fmt: skip
def test_a_redirect_to_another_origin_is_refused_without_a_request_there(location: str) -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(f"{request.url.scheme}://{request.url.netloc.decode()}")
        if request.url.host == "vi.test" and request.url.port is None and request.url.scheme == "http":
            return httpx.Response(302, headers={"Location": location})
        return httpx.Response(200, json={"items": [], "nextPage": None, "prevPage": None})

    with pytest.raises(ViServerError, match="redirect") as caught:
        client_for(handler).datasets.list()
    assert hosts == ["http://vi.test"]
    assert caught.value.error_code == "RedirectRefused"
    assert KEY not in str(caught.value)


def test_a_same_origin_redirect_of_a_read_is_followed_with_the_credentials() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(301, headers={"Location": "/api/v2/workspaces/org-1/datasets"})
        return httpx.Response(200, json={"items": [], "nextPage": None, "prevPage": None})

    assert client_for(handler).datasets.list().items == []
    assert [r.url.path for r in seen] == ["/api/workspaces/org-1/datasets", "/api/v2/workspaces/org-1/datasets"]
    assert seen[1].headers["Authorization"] == f"Bearer {KEY}"


def test_a_same_origin_307_keeps_the_method_and_a_302_that_would_turn_a_post_into_a_get_is_refused() -> None:
    seen: list[httpx.Request] = []

    def handler(status: int) -> Handler:
        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            if len(seen) == 1:
                return httpx.Response(status, headers={"Location": "/api/moved/workspaces/org-1/datasets"})
            return httpx.Response(201, json=dataset_json("pets", "Pets"))

        return answer

    assert client_for(handler(307)).datasets.create("Pets", dataset_id="pets").name == "Pets"
    assert [(r.method, r.content == seen[0].content) for r in seen] == [("POST", True), ("POST", True)]
    seen.clear()
    with pytest.raises(ViServerError, match="redirect"):
        client_for(handler(302)).datasets.create("Pets", dataset_id="pets")
    assert len(seen) == 1


def test_a_redirect_loop_is_a_typed_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": request.url.path + "x"})

    with pytest.raises(ViServerError, match="redirect"):
        client_for(handler).datasets.list()
