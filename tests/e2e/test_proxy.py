"""Proxies (issue 13.5): HTTP(S)_PROXY / ALL_PROXY / NO_PROXY and ``Client(proxy=...)``.

A tiny forwarding HTTP proxy on 127.0.0.1 counts what it forwards; the reference server sits
behind it. Every test asserts what the proxy saw, so a silently bypassed proxy fails the test.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client, ViConfigurationError, ViNetworkError
from vi_ext.proxies import bypasses, proxy_for, proxy_table

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "transfer-encoding", "te",
              "trailer", "upgrade", "content-length"}  # fmt: skip
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUEST_METHOD")


class CountingProxy:
    """A forwarding HTTP proxy (absolute-URI requests) that records ``(method, path)`` of each."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def forward(self) -> None:
                target = urlsplit(self.path)
                if not target.hostname:  # not a proxy request
                    self.send_error(400, "absolute URI expected")
                    return
                proxy.seen.append((self.command, target.path))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                if body is not None:
                    headers["Content-Length"] = str(length)
                upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=60)
                path = target.path + (f"?{target.query}" if target.query else "")
                upstream.request(self.command, path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                upstream.close()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def api_calls(self) -> list[str]:
        return [path for _, path in self.seen if "/workspaces/" in path]

    def storage_calls(self) -> list[str]:
        return [path for _, path in self.seen if path.startswith("/storage/")]


@pytest.fixture
def proxy() -> Iterator[CountingProxy]:
    running = CountingProxy()
    running.thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy settings from the machine running the tests (either case)."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def round_trip(client: Client, tmp_path: Path) -> None:
    """Create, upload (API + storage PUT) and download (storage GET) two images."""
    ds = "px-" + uuid.uuid4().hex[:8]
    client.datasets.create(ds, dataset_id=ds)
    write_image(tmp_path / "src" / "a.png", seed=1)
    write_image(tmp_path / "src" / "b.jpg", seed=2)
    assert client.assets.upload(ds, tmp_path / "src", show_progress=False).total_succeeded == 2
    downloaded = client.assets.download(ds, tmp_path / "out", show_progress=False)
    assert (downloaded.downloaded, downloaded.failed) == (2, 0)


def creds(server: RunningServer) -> Path:
    return server.data_dir / "credentials.json"


def test_http_proxy_from_the_environment_carries_api_and_storage(
    server: RunningServer, proxy: CountingProxy, clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("HTTP_PROXY", proxy.url)
    with Client(config_file=creds(server)) as client:
        round_trip(client, tmp_path)
    assert len(proxy.api_calls()) >= 3
    methods = {method for method, path in proxy.seen if path.startswith("/storage/")}
    assert {"PUT", "GET"} <= methods


def test_lower_case_and_all_proxy_are_honoured(
    server: RunningServer, proxy: CountingProxy, clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("all_proxy", proxy.url.removeprefix("http://"))  # no scheme: http://
    with Client(config_file=creds(server)) as client:
        round_trip(client, tmp_path)
    assert proxy.api_calls()
    assert proxy.storage_calls()


def test_no_proxy_reaches_the_server_directly(
    server: RunningServer, proxy: CountingProxy, clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("HTTP_PROXY", proxy.url)
    clean_env.setenv("NO_PROXY", "example.com, 127.0.0.1")
    with Client(config_file=creds(server)) as client:
        round_trip(client, tmp_path)
    assert proxy.seen == []


def test_explicit_proxy_argument(
    server: RunningServer, proxy: CountingProxy, clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with Client(config_file=creds(server), proxy=proxy.url) as client:
        round_trip(client, tmp_path)
    assert proxy.api_calls()
    assert proxy.storage_calls()


def test_a_dead_proxy_is_a_typed_network_error(server: RunningServer, clean_env: pytest.MonkeyPatch) -> None:
    with (
        Client(config_file=creds(server), proxy="http://127.0.0.1:9", max_retries=0) as client,
        pytest.raises(ViNetworkError),
    ):
        client.datasets.list()


def test_an_unsupported_proxy_scheme_is_a_configuration_error(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ViConfigurationError, match="ftp://\\*\\*\\*@"):
        Client("k", "o", "http://vi.test", proxy="ftp://user:secret@proxy.test")
    clean_env.setenv("HTTPS_PROXY", "gopher://proxy.test")
    with pytest.raises(ViConfigurationError, match="gopher"):
        Client("k", "o", "http://vi.test")


# ---------------------------------------------------------------- the pure rules
def test_proxy_table_reads_both_cases_and_lower_case_wins(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HTTPS_PROXY", "http://upper.test:1")
    clean_env.setenv("https_proxy", "http://lower.test:2")
    clean_env.setenv("NO_PROXY", "internal.test")
    table = proxy_table()
    assert table["https"] == "http://lower.test:2"
    assert table["no"] == "internal.test"


@pytest.mark.parametrize(
    ("url", "table", "expected"),
    [
        ("http://api.test/x", {"http": "http://p:1"}, "http://p:1"),
        ("https://api.test/x", {"http": "http://p:1"}, None),
        ("https://api.test/x", {"https": "p:3", "all": "http://q:2"}, "http://p:3"),
        ("https://api.test/x", {"all": "socks5://q:2"}, "socks5://q:2"),
        ("http://api.test/x", {"http": "http://p:1", "no": "*"}, None),
        ("http://a.api.test/x", {"http": "http://p:1", "no": "api.test"}, None),
        ("http://notapi.test/x", {"http": "http://p:1", "no": "api.test"}, "http://p:1"),
        ("http://a.api.test/x", {"http": "http://p:1", "no": ".api.test"}, None),
        ("http://a.api.test/x", {"http": "http://p:1", "no": "*.api.test"}, None),
        ("http://10.1.2.3:8/x", {"http": "http://p:1", "no": "10.0.0.0/8"}, None),
        ("http://11.1.2.3:8/x", {"http": "http://p:1", "no": "10.0.0.0/8"}, "http://p:1"),
        ("http://[::1]:8/x", {"http": "http://p:1", "no": "::1"}, None),
        ("http://api.test:8080/x", {"http": "http://p:1", "no": "api.test:8080"}, None),
        ("http://api.test:9090/x", {"http": "http://p:1", "no": "api.test:8080"}, "http://p:1"),
        ("https://api.test/x", {"https": "http://p:1", "no": "http://api.test"}, "http://p:1"),
        ("http://localhost:5/x", {"http": "http://p:1", "no": "localhost"}, None),
    ],
)
def test_proxy_for(url: str, table: dict[str, str], expected: str | None) -> None:
    assert proxy_for(httpx.URL(url), table) == expected


def test_an_explicit_proxy_applies_to_every_request() -> None:
    table = {"no": "*", "http": "http://env:1"}
    assert proxy_for(httpx.URL("http://127.0.0.1/x"), table, explicit="http://mine:2") == "http://mine:2"


def test_bypasses_ignores_blank_entries() -> None:
    assert not bypasses(httpx.URL("http://api.test"), " , ,")


def test_the_cli_honours_the_environments_proxy(server: RunningServer, proxy: CountingProxy) -> None:
    env = {k: v for k, v in os.environ.items() if k.lower() not in {n.lower() for n in PROXY_VARS}}
    env["HTTP_PROXY"] = proxy.url
    vi_ext = str(Path(sys.executable).parent / "vi-ext")
    done = subprocess.run([vi_ext, "--config-file", str(creds(server)), "--json", "datasets", "ls"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert proxy.api_calls()
