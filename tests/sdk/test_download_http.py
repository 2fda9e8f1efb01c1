"""The download's GETs on httpcore (`vi_ext.download_http`): URLs, headers, decoding, timeouts, TLS, retries.

A small HTTP(S) server on 127.0.0.1 plays the storage; the API is an ``httpx.MockTransport`` so the
downloads go through `CoreGetter` on real sockets (no storage transport is injected).
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import shutil
import ssl
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest

from tests.helpers.fake_vi import KEY, ORG, SCHEMAS
from vi_ext import Client, ViNotFoundError
from vi_ext.download_http import TRANSPORT_ERRORS, CoreGetter, origin_of, split_url

Reply = Callable[[BaseHTTPRequestHandler, int], None]  # (handler, call number from 1) -> writes an answer


class Storage:
    """A threaded HTTP server answering every GET with ``reply``; records each request's path and headers."""

    def __init__(self, reply: Reply, tls: ssl.SSLContext | None = None) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        storage = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                storage.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                reply(self, len(storage.seen))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def send(handler: BaseHTTPRequestHandler, body: bytes, status: int = 200, **headers: str) -> None:
    handler.send_response(status)
    for key, value in headers.items():
        handler.send_header(key.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture
def storage_with() -> Iterator[Callable[..., Storage]]:
    started: list[Storage] = []

    def start(reply: Reply, tls: ssl.SSLContext | None = None) -> Storage:
        started.append(Storage(reply, tls))
        return started[-1]

    yield start
    for running in started:
        running.stop()


def getter(timeout: float = 10.0, context: ssl.SSLContext | None = None, proxy: str | None = None) -> CoreGetter:
    return CoreGetter(lambda: context or httpx.create_ssl_context(), httpx.Timeout(timeout), lambda _: proxy, "vi-test")


def fetch(get: CoreGetter, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    with get.get(url, headers or {}) as answer:
        return answer.status, b"".join(answer.chunks)


# ---------------------------------------------------------------- pure parts
@pytest.mark.parametrize(
    ("url", "key", "target"),
    [
        ("http://h.test/a/b.jpg?sig=1&x=%2F", "http://h.test", "/a/b.jpg?sig=1&x=%2F"),
        ("HTTPS://h.test:8443", "https://h.test:8443", "/"),
        ("https://h.test?x=1#frag", "https://h.test", "/?x=1"),
        ("http://h.test/a b/é.jpg?q=1", "http://h.test", "/a%20b/%C3%A9.jpg?q=1"),
    ],
)
def test_split_url_gives_the_origin_and_an_encoded_target(url: str, key: str, target: str) -> None:
    assert split_url(url) == (key, target)


def test_split_url_refuses_what_is_not_http() -> None:
    for bad in ("ftp://h.test/a", "/relative/path", "h.test/a"):
        with pytest.raises(httpcore.UnsupportedProtocol):
            split_url(bad)


def test_origin_host_header_proxy_and_tls() -> None:
    seen: list[str] = []

    def choose(url: httpx.URL) -> str | None:
        seen.append(str(url))
        return "http://proxy.test:3128" if url.host == "far.test" else None

    plain = origin_of("http://near.test:80", choose)
    assert (plain.host_header, plain.port, plain.proxy, plain.tls) == (b"near.test", 80, None, False)
    far = origin_of("https://far.test:8443", choose)
    assert (far.host_header, far.proxy, far.tls) == (b"far.test:8443", "http://proxy.test:3128", True)
    assert origin_of("http://[::1]:9000", choose).host_header == b"[::1]:9000"
    assert origin_of("http://h.test", lambda _: "https://tls-proxy.test").tls  # TLS to the proxy itself
    assert seen[:2] == ["http://near.test/", "https://far.test:8443/"]  # the URL the proxy rules see


# ---------------------------------------------------------------- against a local server
def test_a_get_sends_the_signed_headers_and_asks_for_identity(storage_with: Callable[..., Storage]) -> None:
    storage = storage_with(lambda h, _: send(h, b"bytes of the asset", x_extra="1"))
    with getter() as get:
        assert fetch(get, f"{storage.url}/o/a.jpg?sig=abc", {"X-Goog-Meta": "m"}) == (200, b"bytes of the asset")
        with get.get(f"{storage.url}/o/a.jpg", {}) as answer:
            assert answer.headers["x-extra"] == "1"
            b"".join(answer.chunks)
    path, headers = storage.seen[0]
    assert path == "/o/a.jpg?sig=abc"
    assert headers["x-goog-meta"] == "m"
    assert headers["accept-encoding"] == "identity"
    assert headers["user-agent"] == "vi-test"
    assert headers["host"] == storage.url.removeprefix("http://")


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("deflate", lambda d: zlib.compress(d, wbits=-15))],
)
def test_a_compressed_answer_is_decoded(
    storage_with: Callable[..., Storage], encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    data = b"the asset's own bytes " * 500
    storage = storage_with(lambda h, _: send(h, encode(data), content_encoding=encoding))
    with getter() as get:
        assert fetch(get, f"{storage.url}/a") == (200, data)


def test_an_unknown_content_encoding_is_a_transport_error(storage_with: Callable[..., Storage]) -> None:
    storage = storage_with(lambda h, _: send(h, b"xx", content_encoding="br"))
    with getter() as get, pytest.raises(TRANSPORT_ERRORS, match="br"):
        fetch(get, f"{storage.url}/a")


def test_the_read_timeout_applies(storage_with: Callable[..., Storage]) -> None:
    stop = threading.Event()
    storage = storage_with(lambda h, _: stop.wait(10))
    started = time.monotonic()
    try:
        with getter(timeout=0.5) as get, pytest.raises(TRANSPORT_ERRORS):
            fetch(get, f"{storage.url}/slow")
    finally:
        stop.set()
    assert time.monotonic() - started < 5


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_tls_certificates_are_verified(storage_with: Callable[..., Storage], tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    storage = storage_with(lambda h, _: send(h, b"secret"), tls=server_side)
    with getter() as get, pytest.raises(TRANSPORT_ERRORS, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(get, f"{storage.url}/a")  # the default trust store does not know this certificate
    with getter(context=ssl.create_default_context(cafile=str(cert))) as get:
        assert fetch(get, f"{storage.url}/a") == (200, b"secret")


def test_a_closed_getter_sends_nothing(storage_with: Callable[..., Storage]) -> None:
    storage = storage_with(lambda h, _: send(h, b"x"))
    get = getter()
    get.close()
    with pytest.raises(RuntimeError, match="closed"):
        fetch(get, f"{storage.url}/a")
    assert storage.seen == []


# ---------------------------------------------------------------- the downloader on this path
def asset_at(url: str, data: bytes) -> dict[str, Any]:
    asset: dict[str, Any] = copy.deepcopy(SCHEMAS["Asset"]["example"])
    asset["datasetId"] = f"{ORG}_ds"
    asset["filename"] = "x/y.jpg"
    asset["metadata"]["fileSize"] = len(data)
    asset["metadata"]["hash"] = {"algorithm": "sha256", "contents": hashlib.sha256(data).hexdigest()}
    asset["contents"] = {"asset": {"url": url, "expiry": 4102444800000}}
    return asset


def download(url: str, data: bytes, tmp_path: Path, waits: list[float]) -> Any:
    def api(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/assets")
        return httpx.Response(200, json={"items": [asset_at(url, data)], "nextPage": None})

    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(api), sleep=waits.append)
    return client.assets.download("ds", tmp_path, show_progress=False)


def test_a_cut_connection_and_a_503_are_retried(storage_with: Callable[..., Storage], tmp_path: Path) -> None:
    data = b"0123456789" * 1000

    def reply(handler: BaseHTTPRequestHandler, call: int) -> None:
        if call == 1:  # promises the whole body, sends half, hangs up
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data[:5000])
            handler.close_connection = True
        elif call == 2:
            send(handler, b"busy", status=503, retry_after="0.25")
        else:
            send(handler, data)

    storage = storage_with(reply)
    waits: list[float] = []
    result = download(f"{storage.url}/a.jpg?sig=1", data, tmp_path, waits)
    assert (result.downloaded, result.failed, len(storage.seen)) == (1, 0, 3)
    assert waits[1] == 0.25  # the server's Retry-After
    assert (tmp_path / "ds" / "x" / "y.jpg").read_bytes() == data
    assert [p.name for p in (tmp_path / "ds" / "x").iterdir()] == ["y.jpg"]  # no temp file left


def test_a_refused_connection_fails_the_file_after_the_retries(tmp_path: Path) -> None:
    waits: list[float] = []
    result = download("http://127.0.0.1:9/a.jpg", b"data", tmp_path, waits)
    assert (result.downloaded, result.failed) == (0, 1)
    assert "after 6 attempts" in result.failures[0].message
    assert len(waits) == 5


def test_an_unwatched_download_only_lists_in_pages_of_250(tmp_path: Path) -> None:
    asked: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.url.path} s={request.url.params.get('s')}")
        return httpx.Response(404, json={"message": "dataset not found"})

    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(api))
    with pytest.raises(ViNotFoundError):
        client.assets.download("ds", tmp_path, show_progress=False)
    assert asked == [f"/workspaces/{ORG}/datasets/{ORG}_ds/assets s=250"]  # no datasets.get for a total nobody sees
