"""`vi_ext.AsyncClient`: the `Client` for asyncio (native async API calls; bulk transfers in a worker thread)."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType

import httpx

from vi_ext import config
from vi_ext.aio.api import AsyncApiClient
from vi_ext.aio.bulk import BulkRun
from vi_ext.aio.resources import AsyncAssetsResource, AsyncDatasetsResource
from vi_ext.proxies import ProxyRouter, normalize_proxy, proxy_for, proxy_table
from vi_ext.retry import RetryPolicy


class AsyncClient:
    """The Vi client for asyncio: ``async with AsyncClient() as c: await c.datasets.get(...)``.

    The same credentials rules, resources, methods, parameters, results and errors as `vi_ext.Client`.
    API calls are native async (``httpx.AsyncClient``); ``assets.upload`` and ``assets.download`` run
    the sync transfer engine in a worker thread, and cancelling the awaiting task stops it (see
    `vi_ext.aio.bulk`).
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
        transport: httpx.AsyncBaseTransport | None = None,
        storage_transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        proxy: str | None = None,
    ) -> None:
        """Resolve the credentials and prepare the connection pool (nothing is sent yet).

        Args:
            secret_key: the secret key (overrides the source's).
            organization_id: the organization id (overrides the source's).
            endpoint: the API base URL (overrides the source's).
            config_file: a JSON file used as the whole source of credentials.
            timeout: seconds per request (connecting: at most 30).
            max_retries: retries of a failed request or transfer.
            max_workers: the default number of concurrent transfers.
            transport: an httpx async transport for API requests (tests; used as is). An
                ``httpx.MockTransport`` also serves the API requests of upload and download.
            storage_transport: an httpx (sync) transport for signed-URL transfers (tests; used as is).
            sleep: awaited between retries and polls (injectable for tests).
            proxy: a proxy URL for every request (default: the ``*_PROXY`` environment variables).

        Raises:
            ViConfigurationError: the credentials are missing or invalid, or a proxy setting is malformed.
        """
        creds = config.resolve(secret_key, organization_id, endpoint, Path(config_file) if config_file else None)
        table = proxy_table()
        for value in [proxy] if proxy is not None else [table[k] for k in ("http", "https", "all") if k in table]:
            normalize_proxy(value)
        self._choose_proxy = functools.partial(proxy_for, table=table, explicit=proxy)
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        if transport is None:
            direct = httpx.AsyncHTTPTransport(limits=limits)
            # one proxy for the API's single origin, chosen the way the sync client chooses it
            via = self._choose_proxy(httpx.URL(creds.endpoint))
            transport = httpx.AsyncHTTPTransport(limits=limits, proxy=via) if via else direct
        self._credentials = creds
        self.organization_id = creds.organization_id
        self.endpoint = creds.endpoint
        self.max_workers = max_workers
        self._timeout = timeout
        self._max_retries = max(0, max_retries)
        self._sleep = sleep
        self._policy = RetryPolicy(max_retries=self._max_retries)
        self._api = AsyncApiClient(creds, timeout, self._policy, transport, sleep)
        self._given_api = transport if isinstance(transport, httpx.BaseTransport) else None
        self._given_storage = storage_transport
        self._sync_api: httpx.BaseTransport | None = None
        self._sync_storage: httpx.BaseTransport | None = None
        self.datasets = AsyncDatasetsResource(self)
        self.assets = AsyncAssetsResource(self)

    def _bulk_run(self) -> BulkRun:
        """A fresh `BulkRun` (stop flag, sync client) over this client's shared sync pools."""
        if self._sync_api is None:
            api_limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
            self._sync_api = self._given_api or ProxyRouter(
                lambda via: httpx.HTTPTransport(limits=api_limits, proxy=via), self._choose_proxy
            )
        if self._sync_storage is None:
            limits = httpx.Limits(max_connections=max(64, self.max_workers * 2), max_keepalive_connections=64)
            self._sync_storage = self._given_storage or ProxyRouter(
                lambda via: httpx.HTTPTransport(limits=limits, proxy=via), self._choose_proxy
            )
        return BulkRun(
            self._credentials, self._sync_api, self._sync_storage, self._timeout, self._max_retries, self.max_workers
        )

    async def aclose(self) -> None:
        """Close the connection pools."""
        await self._api.aclose()
        for owned, given in ((self._sync_api, self._given_api), (self._sync_storage, self._given_storage)):
            if owned is not None and owned is not given:
                owned.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncClient(organization_id={self.organization_id!r}, endpoint={self.endpoint!r})"
