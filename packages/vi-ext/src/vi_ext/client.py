"""`vi_ext.Client`: credentials, the API connection pool, and storage clients for transfers."""

from __future__ import annotations

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
from vi_ext.resources import AssetsResource, DatasetsResource
from vi_ext.retry import RetryPolicy
from vi_ext.thread_clients import ThreadClients


class Client:
    """The Vi client.

    Credentials come from the arguments, then ``DATATURE_VI_SECRET_KEY`` /
    ``DATATURE_VI_ORGANIZATION_ID`` / ``DATATURE_VI_API_ENDPOINT``, then ``config_file`` (JSON with
    ``secret_key``, ``organization_id`` and optionally ``endpoint``).
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
    ) -> None:
        creds = config.resolve(secret_key, organization_id, endpoint, Path(config_file) if config_file else None)
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
            with self._ssl_lock:  # building an SSL context costs ~30 ms of CPU: one per Client
                if self._ssl is None:
                    self._ssl = httpx.create_ssl_context()
            limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
            transport = httpx.HTTPTransport(verify=self._ssl, limits=limits)
        return httpx.Client(
            transport=transport,
            timeout=self._storage_timeout,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )

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
