"""Pure decisions and scripted HTTP behaviour (httpx.MockTransport), no server."""

from __future__ import annotations

import copy
import email.utils
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tools.generate import ROOT
from vi_ext import Client, PaginationError, ViServerError, ViTimeoutError, ViValidationError
from vi_ext.checksums import signed_crc32c
from vi_ext.config import resolve
from vi_ext.enums import AssetIngestionError
from vi_ext.errors import ViAuthenticationError, ViConfigurationError, ViRateLimitError
from vi_ext.files import discover, safe_relative
from vi_ext.models import AssetIngestionEventError, AssetIngestionEventUnknown
from vi_ext.polling import poll_delays
from vi_ext.retry import RetryPolicy, parse_retry_after
from vi_ext.thread_clients import ThreadClients
from vi_ext.wire import short_dataset_id

SCHEMAS = yaml.safe_load((ROOT / "openapi.yaml").read_text())["components"]["schemas"]
ORG = "org-1"
KEY = "dtvi_" + "k" * 98

Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler, sleeps: list[float] | None = None, max_retries: int = 5) -> Client:
    record = sleeps if sleeps is not None else []
    return Client(KEY, ORG, "http://vi.test/api", transport=httpx.MockTransport(handler),
                  sleep=record.append, max_retries=max_retries)  # fmt: skip


def asset_json(n: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(SCHEMAS["Asset"]["example"])
    data["assetId"] = f"a{n}"
    data["datasetId"] = f"{ORG}_ds"
    return data


def page(items: list[dict[str, Any]], next_page: str | None) -> httpx.Response:
    return httpx.Response(200, json={"items": items, "nextPage": next_page, "prevPage": None})


# ---------------------------------------------------------------- pure decisions
def test_retry_policy_is_bounded_and_honours_retry_after() -> None:
    policy = RetryPolicy(max_retries=3, base_delay=1, max_delay=5, jitter=lambda high: high)
    assert [policy.delay(n, None) for n in (1, 2, 3, 4)] == [1, 2, 4, None]
    assert policy.delay(1, 120) == policy.max_retry_after
    assert policy.delay(1, 0.5) == 0.5


def test_retry_after_parses_seconds_and_dates() -> None:
    assert parse_retry_after("7") == 7
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (parse_retry_after(future) or 0) <= 31


def test_poll_delays_start_fast_and_back_off() -> None:
    delays = poll_delays()
    first = [next(delays) for _ in range(12)]
    assert first[0] == 0.05
    assert first == sorted(first)
    assert first[-1] == 1.0


def test_crc32c_is_signed_big_endian() -> None:
    assert signed_crc32c(bytes.fromhex("7fffffff")) == 2**31 - 1
    assert signed_crc32c(bytes.fromhex("ffffffff")) == -1
    assert signed_crc32c(bytes.fromhex("80000000")) == -(2**31)
    assert signed_crc32c((-1540344100 & 0xFFFFFFFF).to_bytes(4, "big")) == -1540344100


def test_short_dataset_id_strips_exactly_the_org_prefix() -> None:
    assert short_dataset_id("org_1_my_ds", "org_1") == "my_ds"
    assert short_dataset_id("other_ds", "org_1") == "other_ds"


@pytest.mark.parametrize(
    ("name", "safe"),
    [("a/b.jpg", True), ("../evil.jpg", False), ("/etc/x.jpg", False), ("a/../../b.jpg", False),
     ("..\\x.jpg", False), ("CON.jpg", False), ("nul", False), ("c:x.jpg", False), ("a\x00.jpg", False),
     ("ünïcode %20 name.jpg", True)],
)  # fmt: skip
def test_safe_relative(name: str, safe: bool) -> None:
    assert (safe_relative(name) is not None) is safe


def test_discovery_names_files_relative_to_the_folder(tmp_path: Path) -> None:
    for rel in ["train/cat/001.jpg", "train/dog/001.JPG", "x.txt", "empty.png"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"" if rel == "empty.png" else b"data")
    (tmp_path / "loop").symlink_to(tmp_path)  # a symlink loop is not followed
    direct = tmp_path / "train/cat/001.jpg"
    selection = discover([tmp_path, direct, direct], max_file_size=100)
    assert [f.filename for f in selection.files] == ["train/cat/001.jpg", "train/dog/001.JPG", "001.jpg"]
    assert [(r.filename, r.code) for r in selection.rejected] == [("empty.png", "EMPTY_FILE"),
                                                                   ("001.jpg", "DUPLICATE_FILENAME")]  # fmt: skip
    assert [Path(s.local).name for s in selection.skipped] == ["x.txt"]


def test_credentials_precedence(tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"secret_key": "file-key", "organization_id": "file-org", "endpoint": "http://f"}))
    env = {"DATATURE_VI_SECRET_KEY": "env-key"}
    creds = resolve(None, None, None, config, env)  # a given file is used whole (issue 13.4)
    assert (creds.secret_key, creds.organization_id, creds.endpoint) == ("file-key", "file-org", "http://f")
    assert resolve("arg-key", None, None, config, env).secret_key == "arg-key"
    assert "file-key" not in repr(creds)
    with pytest.raises(ViConfigurationError, match="organization_id"):
        resolve("k", None, None, None, {})
    with pytest.raises(ViConfigurationError, match="not found"):
        resolve(None, None, None, tmp_path / "nope.json", {})


# ---------------------------------------------------------------- scripted HTTP
def test_503_then_success_and_429_with_retry_after() -> None:
    answers = [httpx.Response(503), httpx.Response(429, headers={"Retry-After": "3"}), page([asset_json()], None)]
    sleeps: list[float] = []
    client = client_for(lambda _: answers.pop(0), sleeps)
    assert [a.asset_id for a in client.assets.list("ds").items] == ["a0"]
    assert len(sleeps) == 2
    assert sleeps[1] == 3


def test_retry_budget_ends_in_a_typed_error() -> None:
    sleeps: list[float] = []
    client = client_for(lambda _: httpx.Response(429, json={"message": "slow down"}), sleeps, max_retries=2)
    with pytest.raises(ViRateLimitError, match="slow down"):
        client.assets.list("ds")
    assert len(sleeps) == 2


def test_html_502_and_malformed_json_become_server_errors() -> None:
    html = client_for(lambda _: httpx.Response(502, text="<html><h1>Bad Gateway</h1></html>"), max_retries=0)
    with pytest.raises(ViServerError, match="HTTP 502"):
        html.assets.list("ds")
    broken = client_for(lambda _: httpx.Response(200, text="{not json"))
    with pytest.raises(ViServerError, match="unexpected answer"):
        broken.assets.list("ds")
    missing_field = client_for(lambda _: page([{"assetId": "x"}], None))
    with pytest.raises(ViServerError):
        missing_field.assets.list("ds")


def test_auth_error_carries_status_and_code() -> None:
    client = client_for(lambda _: httpx.Response(401, json={"message": "invalid key", "code": "AuthenticationFailed"}))
    with pytest.raises(ViAuthenticationError) as caught:
        client.datasets.get("ds")
    assert (caught.value.status_code, caught.value.error_code) == (401, "AuthenticationFailed")
    assert KEY not in str(caught.value)


def test_pages_follow_tokens_and_stop_on_a_repeat() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("p")
        seen.append(token)
        assert request.url.path == f"/api/workspaces/{ORG}/datasets/{ORG}_ds/assets"  # endpoint prefix kept
        return page([asset_json(len(seen))], "same-token")

    client = client_for(handler)
    first = client.assets.list("ds", pagination={"page_size": 1})
    pages = iter(first)
    assert next(pages) is first  # the first page is not fetched again
    next(pages)
    with pytest.raises(PaginationError):
        next(pages)
    assert seen == [None, "same-token"]


def test_list_sends_the_wire_parameters() -> None:
    captured: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        captured.append(request.url)
        return page([], None)

    client = client_for(handler)
    client.assets.list("ds", contents=True, sort_by={"criterion": "filename", "order": "desc"},
                       filter_criteria={"k": "v"}, strict_query=True)  # fmt: skip
    params = dict(captured[0].params)
    assert params == {"s": "10", "sortBy": "filename", "o": "desc", "filter": '{"k": "v"}', "contents": "y",
                      "strictQuery": "y"}  # fmt: skip


def test_unknown_enum_values_event_kinds_and_extra_fields_are_tolerated() -> None:
    session = copy.deepcopy(SCHEMAS["AssetIngestionSession"]["example"])
    session["datasetId"] = f"{ORG}_ds"
    session["somethingNew"] = [1, 2]
    session["spec"]["failureMode"] = "FailAfterSome"
    session["status"]["conditions"] = [{"condition": "Finished", "status": "Reached", "lastTransitionTime": 1,
                                        "extra": True}]  # fmt: skip
    session["status"]["events"] = [
        {"kind": "Error", "files": {"a.jpg": "ENEWCODE", "b.jpg": "ECORRUPT"}, "corrections": {}, "time": 1},
        {"kind": "Audit", "who": "x"},
    ]
    client = client_for(lambda _: httpx.Response(200, json=session))
    got = client.assets.wait_until_done("ds", "s1")
    assert got.spec.failureMode == "FailAfterSome"
    error, unknown = got.status.events
    assert isinstance(error, AssetIngestionEventError)
    assert error.files == {"a.jpg": "ENEWCODE", "b.jpg": AssetIngestionError.ECORRUPT}
    assert isinstance(unknown, AssetIngestionEventUnknown)
    assert unknown.kind == "Audit"
    assert got.dataset_id == "ds"


def test_an_ingestion_that_never_finishes_hits_the_deadline() -> None:
    session = copy.deepcopy(SCHEMAS["AssetIngestionSession"]["example"])
    session["status"]["conditions"] = [{"condition": "Finished", "status": "Waiting", "lastTransitionTime": 1}]
    client = Client(
        KEY, ORG, "http://vi.test", transport=httpx.MockTransport(lambda _: httpx.Response(200, json=session))
    )
    start = time.monotonic()
    with pytest.raises(ViTimeoutError) as caught:
        client.assets.wait_until_done("ds", "s1", timeout=0.5)
    assert time.monotonic() - start < 2
    assert caught.value.partial_result.status.progressCount.total == 1


def test_page_size_is_validated() -> None:
    client = client_for(lambda _: page([], None))
    with pytest.raises(ViValidationError):
        client.assets.list("ds", pagination={"page_size": 0})
    with pytest.raises(ViValidationError):
        client.assets.list("ds", pagination={"page": 2})


def test_signature_check_refuses_odd_input_without_crashing() -> None:
    from vi_server.signing import sign_url, verify

    url, _ = sign_url(b"secret", "http://h", "PUT", "/p", 60, now=1000)
    expires, sig = url.split("expires=")[1].split("&signature=")
    assert verify(b"secret", "PUT", "/p", expires, sig, now=1000) is None
    assert verify(b"secret", "GET", "/p", expires, sig, now=1000) is not None
    assert verify(b"secret", "PUT", "/p", expires, "\u00d4\u000f", now=1000) is not None
    assert verify(b"secret", "PUT", "/p", "\u00b2", sig, now=1000) is not None
    assert verify(b"secret", "PUT", "/p", expires, sig, now=10_000) == "the URL has expired"


def test_thread_clients_give_each_thread_its_own_client_and_close_them_all() -> None:
    made: list[httpx.Client] = []

    def make() -> httpx.Client:
        made.append(httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200))))
        return made[-1]

    with ThreadClients(make) as clients:
        mine = clients.get()
        assert clients.get() is mine  # the same thread keeps its client
        with ThreadPoolExecutor(4) as pool:
            theirs = set(pool.map(lambda _: id(clients.get()), range(4)))
        assert id(mine) not in theirs
        assert len(made) == 1 + len(theirs)
    assert all(c.is_closed for c in made)
    with pytest.raises(RuntimeError, match="already closed"):
        clients.get()  # after the transfer ended: refused, never a closed or leaked client
    shared = httpx.Client()
    with ThreadClients(make, shared=shared) as clients:
        assert clients.get() is shared
    assert not shared.is_closed  # an injected client belongs to its owner
    shared.close()
