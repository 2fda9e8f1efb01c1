"""Bulk transfers of the `AsyncClient`: the sync engine (`Uploader`/`Downloader`) in a worker thread, cancellable.

Cancelling the awaiting task sets a stop flag that every request of the transfer (API and storage,
through `Guarded`) and every wait between retries consults first, the way the call-wide circuit
breaker (`vi_ext.breaker`) is consulted before each attempt: the engine's threads stop at their next
request. The task then waits for the thread to end and cancels, server-side, every ingestion session
the transfer created (best effort: a session left open expires by itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from vi_ext._generated import models as g
from vi_ext.client import Client
from vi_ext.config import Credentials
from vi_ext.errors import ViError

R = TypeVar("R")
_SESSIONS = "/assetIngestionSessions"


class Stopped(BaseException):
    """The awaiting task was cancelled: the transfer stops (a BaseException, so no retry or per-file handler keeps it)."""


class Guarded(httpx.BaseTransport):
    """A transport of one transfer: refuses to send once the transfer is stopped; tells of created sessions."""

    def __init__(self, inner: httpx.BaseTransport, run: BulkRun) -> None:
        self.inner = inner
        self.run = run

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` unless the transfer is stopped.

        Raises:
            Stopped: the transfer is stopped.
        """
        self.run.check()
        response = self.inner.handle_request(request)
        if request.method == "POST" and request.url.path.endswith(_SESSIONS) and response.status_code < 300:
            response.read()
            with contextlib.suppress(Exception):  # not a session after all: nothing to cancel
                self.run.created(g.AssetIngestionSession.from_dict(response.json()).asset_ingestion_session_id)
        return response

    def close(self) -> None:
        """Nothing: the wrapped pool belongs to the `AsyncClient`."""


class BulkRun:
    """One upload or download call: its stop flag, the sessions it created, its own sync `Client`."""

    def __init__(
        self,
        credentials: Credentials,
        api: httpx.BaseTransport,
        storage: httpx.BaseTransport,
        timeout: float,
        max_retries: int,
        max_workers: int,
    ) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.sessions: list[str] = []
        self.client = Client(
            credentials.secret_key, credentials.organization_id, credentials.endpoint,
            timeout=timeout, max_retries=max_retries, max_workers=max_workers,
            transport=Guarded(api, self), storage_transport=Guarded(storage, self), sleep=self.sleep,
        )  # fmt: skip

    def check(self) -> None:
        """Raise `Stopped` once the transfer is stopped."""
        if self._stop.is_set():
            raise Stopped

    def sleep(self, seconds: float) -> None:
        """Wait between retries or polls; wakes up at once when the transfer is stopped."""
        self._stop.wait(seconds)
        self.check()

    def created(self, session_id: str) -> None:
        """Remember a session this transfer created (cancelled if the transfer is)."""
        with self._lock:
            self.sessions.append(session_id)

    async def run(self, work: Callable[[Client], R], cancel_session: Callable[[str], Awaitable[None]]) -> R:
        """Run ``work`` with this call's sync client in a worker thread; cancelling the caller stops it.

        Args:
            work: the sync transfer.
            cancel_session: cancels one ingestion session server-side.

        Returns:
            What ``work`` returns.

        Raises:
            asyncio.CancelledError: the caller was cancelled (after the thread ended and the
                sessions were cancelled).
        """

        def body() -> R:
            try:
                return work(self.client)
            finally:
                self.client.close()

        future = asyncio.ensure_future(asyncio.to_thread(body))
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            self._stop.set()
            await asyncio.wait([future])  # each engine thread stops at its next request
            if not future.cancelled():
                future.exception()  # `Stopped` (or what ended it first): consumed, the cancellation wins
            for sid in list(self.sessions):
                with contextlib.suppress(ViError):
                    await cancel_session(sid)
            raise
