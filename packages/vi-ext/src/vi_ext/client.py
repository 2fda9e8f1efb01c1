"""`vi_ext.Client`: credentials, the API connection pool, and storage clients for transfers."""

from __future__ import annotations

import functools
import os
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import httpx

from vi_ext import config
from vi_ext.api import USER_AGENT, ApiClient
from vi_ext.download_http import CoreGetter, HttpxGetter
from vi_ext.proxies import ProxyRouter, normalize_proxy, proxy_for, proxy_table
from vi_ext.resources import AssetsResource, DatasetsResource
from vi_ext.retry import RetryPolicy
from vi_ext.thread_clients import ThreadClients


class Client:
    """The Vi client.

    Credentials come from ONE source, never mixed: a given ``config_file`` (JSON with
    ``secret_key``, ``organization_id`` and optionally ``endpoint``) is used as a whole; otherwise
    ``DATATURE_VI_SECRET_KEY`` / ``DATATURE_VI_ORGANIZATION_ID`` / ``DATATURE_VI_API_ENDPOINT`` as a
    whole. Keyword arguments override single fields of that source.

    Proxies: ``proxy`` sends every request (API and storage) through that proxy; without it
    ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY`` are honoured as httpx and
    requests do (see `vi_ext.proxies`), read once when the client is made. An injected
    ``transport`` / ``storage_transport`` is used as is.
    """

    def __init__(
        self,
        secret_key: str | None = None,
        organization_id: str | None = None,
        endpoint: str | None = None,
        *,
        config_file: str | os.PathLike[str] | None = None,
        timeout: float = 60.0,
        max_retries: int = 5,
        max_workers: int = 16,
        transport: httpx.BaseTransport | None = None,
        storage_transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        proxy: str | None = None,
    ) -> None:
        """Resolve the credentials and prepare the connection pools (nothing is sent yet).

        Args:
            secret_key: the secret key (overrides the source's, see above).
            organization_id: the organization id (overrides the source's).
            endpoint: the API base URL (overrides the source's; default ``https://api.vi.datature.com``).
            config_file: a JSON file used as the whole source of credentials (the environment is then not read).
            timeout: seconds per request (connecting: at most 30).
            max_retries: retries of a failed request or transfer (connection errors, 408, 429, 5xx).
            max_workers: the default number of concurrent transfers.
            transport: an httpx transport for API requests (tests; used as is).
            storage_transport: an httpx transport for signed-URL transfers (tests; used as is).
            sleep: waits between retries (injectable for tests).
            proxy: a proxy URL for every request (default: the ``*_PROXY`` environment variables).

        Raises:
            ViConfigurationError: the credentials are missing or invalid, or a proxy setting is malformed.
        """
        creds = config.resolve(secret_key, organization_id, endpoint, Path(config_file) if config_file else None)
        table = proxy_table()
        for value in [proxy] if proxy is not None else [table[k] for k in ("http", "https", "all") if k in table]:
            normalize_proxy(value)  # a bad proxy setting is a ViConfigurationError now, not on first use
        self._choose_proxy = functools.partial(proxy_for, table=table, explicit=proxy)
        api_limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        transport = transport or ProxyRouter(
            lambda via: httpx.HTTPTransport(limits=api_limits, proxy=via), self._choose_proxy
        )
        self.organization_id = creds.organization_id
        self.endpoint = creds.endpoint
        self.max_workers = max_workers
        self._sleep = sleep
        self._policy = RetryPolicy(max_retries=max(0, max_retries))
        self._api = ApiClient(creds, timeout, self._policy, transport, sleep)
        self._storage_timeout = httpx.Timeout(max(timeout, 300.0), connect=30.0)
        self._ssl: ssl.SSLContext | None = None
        self._ssl_lock = threading.Lock()
        # An injected storage transport (tests) is shared by all threads; otherwise each transfer
        # thread gets its own small pool (see `thread_clients`).
        self._storage = self._new_storage_client(storage_transport) if storage_transport else None
        self.datasets = DatasetsResource(self)
        self.assets = AssetsResource(self)

    def _new_storage_client(self, transport: httpx.BaseTransport | None = None) -> httpx.Client:
        if transport is None:
            limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
            ssl_context = self._ssl_context()
            transport = ProxyRouter(
                lambda via: httpx.HTTPTransport(verify=ssl_context, limits=limits, proxy=via), self._choose_proxy
            )
        return httpx.Client(
            transport=transport,
            timeout=self._storage_timeout,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    def _download_getter(self) -> CoreGetter | HttpxGetter:
        """What one download sends its GETs with: httpcore pools, or the injected storage transport."""
        if self._storage is not None:
            shared = self._storage
            return HttpxGetter(lambda: shared)
        return CoreGetter(self._ssl_context, self._storage_timeout, self._choose_proxy, USER_AGENT)

    def _ssl_context(self) -> ssl.SSLContext:
        """The client's TLS context (verification on), made on first use."""
        with self._ssl_lock:  # building an SSL context costs ~30 ms of CPU: one per Client
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context()
            return self._ssl

    def _storage_clients(self) -> ThreadClients:
        """Storage clients for one transfer: one per worker thread, closed when it ends."""
        return ThreadClients(self._new_storage_client, shared=self._storage)

    def close(self) -> None:
        """Close the API connection pool (and an injected storage transport's client)."""
        self._api.close()
        if self._storage is not None:
            self._storage.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(organization_id={self.organization_id!r}, endpoint={self.endpoint!r})"
