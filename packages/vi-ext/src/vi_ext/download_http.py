"""Signed-URL GETs of a download: httpcore directly, or an httpx client when a transport is injected.

A download's GETs carry no API logic (no auth, cookies, redirects or JSON), yet ``httpx.Client``
spends most of a small file's CPU building its request and response models: parsing and
re-validating the long signed URL character by character, merging headers, running the auth and
redirect generators. `CoreGetter` sends the same GET on the connection pools httpx itself uses
(httpcore), built the way ``httpx.HTTPTransport`` builds them, so every guarantee stays:

- proxies: the client's proxy choice (`vi_ext.proxies.proxy_for`: ``Client(proxy=)``,
  ``*_PROXY``/``NO_PROXY``), decided once per origin; HTTP(S) proxies with their credentials,
  SOCKS with ``httpx[socks]``;
- TLS verification with the client's SSL context (certificates and host names checked);
- the storage timeouts (connect, read, write, pool), per request;
- retries: failures surface as `TRANSPORT_ERRORS`, which the downloader retries.

It asks for ``Accept-Encoding: identity``; an answer compressed anyway (gzip or deflate) is
decoded, so the size and sha256 checks always see the asset's own bytes.
"""

from __future__ import annotations

import contextlib
import importlib.util
import ssl
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, urlsplit

import httpcore
import httpx

from vi_ext.errors import ViConfigurationError

TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    httpx.TransportError,
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
)
"""What a GET raises when it got no (complete) answer: worth another try."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNSAFE_IN_TARGET = frozenset(' "<>\\^`{|}')
_TARGET_SAFE = "!#$%&'()*+,/:;=?@[]~"


@dataclass
class Answer:
    """The status, headers and body chunks of one GET (valid inside its ``with`` block)."""

    status: int
    headers: Mapping[str, str]
    chunks: Iterator[bytes]


class Getter(Protocol):
    """What the downloader sends its GETs with (safe to call from several threads)."""

    def get(self, url: str, headers: Mapping[str, str]) -> AbstractContextManager[Answer]:
        """GET ``url``; the answer's body is read inside the ``with`` block."""


@dataclass(frozen=True)
class Origin:
    """What every GET to one ``scheme://host:port`` shares: the ``Host`` header and the proxy."""

    scheme: bytes
    host: bytes
    port: int | None
    host_header: bytes
    proxy: str | None
    tls: bool  # the connection speaks TLS (an https URL, or an https proxy)


def split_url(url: str) -> tuple[str, str]:
    """``(scheme://netloc, target)`` of ``url``: the origin key and the request target, percent-encoded.

    Raises:
        httpcore.UnsupportedProtocol: not an absolute http(s) URL.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in _DEFAULT_PORTS:
        raise httpcore.UnsupportedProtocol(f"not an http(s) URL: {url[:60]!r}")
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    netloc, target = rest[:cut], rest[cut:].partition("#")[0]
    if not target.startswith("/"):
        target = "/" + target
    if not target.isascii() or not _UNSAFE_IN_TARGET.isdisjoint(target):
        target = quote(target, safe=_TARGET_SAFE)  # as httpx would send it
    return f"{scheme.lower()}://{netloc}", target


def origin_of(key: str, choose: Callable[[httpx.URL], str | None]) -> Origin:
    """The `Origin` of ``scheme://netloc`` (``choose``: the client's proxy decision)."""
    parts = urlsplit(key)
    host = parts.hostname or ""
    port = parts.port
    shown = f"[{host}]" if ":" in host else host
    header = shown if port in (None, _DEFAULT_PORTS[parts.scheme]) else f"{shown}:{port}"
    proxy = choose(httpx.URL(key + "/"))
    tls = parts.scheme == "https" or (proxy or "").lower().startswith("https:")
    return Origin(parts.scheme.encode(), host.encode("idna"), port, header.encode("ascii"), proxy, tls)


def core_pool(proxy: str | None, ssl_context: ssl.SSLContext | None, limits: httpx.Limits) -> httpcore.ConnectionPool:
    """A connection pool as ``httpx.HTTPTransport(verify=ssl_context, limits=limits, proxy=proxy)`` makes it.

    ``ssl_context=None`` only for pools that speak no TLS (httpcore would still verify with its
    default context if one ever did).

    Raises:
        ViConfigurationError: a SOCKS proxy without ``httpx[socks]`` installed.
    """
    most, idle, expiry = limits.max_connections, limits.max_keepalive_connections, limits.keepalive_expiry
    if proxy is None:
        return httpcore.ConnectionPool(
            ssl_context=ssl_context, max_connections=most, max_keepalive_connections=idle, keepalive_expiry=expiry
        )
    via = httpx.Proxy(proxy)
    url = httpcore.URL(scheme=via.url.raw_scheme, host=via.url.raw_host, port=via.url.port, target=via.url.raw_path)
    if via.url.scheme in ("http", "https"):
        return httpcore.HTTPProxy(
            proxy_url=url, proxy_auth=via.raw_auth, proxy_headers=via.headers.raw, ssl_context=ssl_context,
            proxy_ssl_context=via.ssl_context, max_connections=most, max_keepalive_connections=idle,
            keepalive_expiry=expiry,
        )  # fmt: skip
    if importlib.util.find_spec("socksio") is None:
        raise ViConfigurationError(f"proxy {proxy} needs: pip install 'httpx[socks]'")
    return httpcore.SOCKSProxy(
        proxy_url=url, proxy_auth=via.raw_auth, ssl_context=ssl_context, max_connections=most,
        max_keepalive_connections=idle, keepalive_expiry=expiry,
    )  # fmt: skip


def _decoded(chunks: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    """The body of an answer with ``Content-Encoding: gzip`` or ``deflate``, decoded."""
    wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
    inflate = zlib.decompressobj(wbits)
    first = True
    for chunk in chunks:
        if first and wbits == zlib.MAX_WBITS and chunk and (chunk[0] & 0x0F) != 8:
            inflate = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send it
        first = False
        yield inflate.decompress(chunk)
    yield inflate.flush()


class CoreGetter:
    """GETs on httpcore pools: one pool per proxy per worker thread (no lock shared between threads).

    Args:
        ssl_context: makes the client's TLS context (certificate verification on); called only when
            a GET needs TLS, so plain-HTTP storage never loads the CA bundle.
        timeout: the storage timeouts.
        choose: the client's proxy decision for a URL.
        user_agent: the ``User-Agent`` header.
        limits: each thread's pool size.
    """

    def __init__(
        self,
        ssl_context: Callable[[], ssl.SSLContext],
        timeout: httpx.Timeout,
        choose: Callable[[httpx.URL], str | None],
        user_agent: str,
        limits: httpx.Limits | None = None,
    ) -> None:
        self._ssl = ssl_context
        self._timeout = {"timeout": timeout.as_dict()}
        self._choose = choose
        self._agent = user_agent.encode()
        self._limits = limits or httpx.Limits(max_connections=4, max_keepalive_connections=4)
        self._origins: dict[str, Origin] = {}
        self._local = threading.local()
        self._lock = threading.Lock()
        self._pools: list[httpcore.ConnectionPool] = []
        self._closed = False

    def _pool(self, where: Origin) -> httpcore.ConnectionPool:
        mine: dict[tuple[str | None, bool], httpcore.ConnectionPool] | None = getattr(self._local, "pools", None)
        if mine is None:
            mine = self._local.pools = {}
        pool = mine.get((where.proxy, where.tls))
        if pool is None:
            context = self._ssl() if where.tls else None
            with self._lock:
                if self._closed:
                    raise RuntimeError("the download's connections are already closed")
                pool = mine[where.proxy, where.tls] = core_pool(where.proxy, context, self._limits)
                self._pools.append(pool)
        return pool

    @contextlib.contextmanager
    def get(self, url: str, headers: Mapping[str, str]) -> Iterator[Answer]:
        """GET ``url`` with ``headers`` (the signed URL's own, which win over ours).

        Yields:
            The answer; its body is read from ``chunks`` inside the block.

        Raises:
            httpcore.UnsupportedProtocol: not an http(s) URL; other `TRANSPORT_ERRORS`: no answer.
        """
        key, target = split_url(url)
        where = self._origins.get(key)
        if where is None:
            where = self._origins[key] = origin_of(key, self._choose)
        sent = {"host": where.host_header, "user-agent": self._agent, "accept-encoding": b"identity"}
        for name, value in headers.items():
            sent[name.lower()] = value.encode()
        request_url = httpcore.URL(scheme=where.scheme, host=where.host, port=where.port, target=target.encode())
        pool = self._pool(where)
        with pool.stream("GET", request_url, headers=list(sent.items()), extensions=self._timeout) as response:
            answer = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers}
            chunks: Iterator[bytes] = response.iter_stream()
            encoding = answer.get("content-encoding", "identity").strip().lower()
            if encoding not in ("identity", ""):
                if encoding not in ("gzip", "x-gzip", "deflate"):
                    raise httpcore.RemoteProtocolError(f"unsupported Content-Encoding {encoding!r}")
                chunks = _decoded(chunks, encoding)
            yield Answer(response.status, answer, chunks)

    def close(self) -> None:
        """Close every pool made so far."""
        with self._lock:
            self._closed = True
            pools, self._pools = self._pools, []
        for pool in pools:
            pool.close()

    def __enter__(self) -> CoreGetter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class HttpxGetter:
    """GETs through an ``httpx.Client`` (an injected storage transport, e.g. ``httpx.MockTransport``).

    Args:
        client: the calling thread's storage client.
    """

    def __init__(self, client: Callable[[], httpx.Client]) -> None:
        self._client = client

    @contextlib.contextmanager
    def get(self, url: str, headers: Mapping[str, str]) -> Iterator[Answer]:
        """GET ``url`` with ``headers``.

        Yields:
            The answer (headers as the client decoded them, body decoded).

        Raises:
            httpx.TransportError: no answer.
        """
        with self._client().stream("GET", url, headers=dict(headers)) as response:
            yield Answer(response.status_code, response.headers, response.iter_bytes(256 * 1024))

    def close(self) -> None:
        """Nothing: the client belongs to the caller."""

    def __enter__(self) -> HttpxGetter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
