"""One storage `httpx.Client` per worker thread for the length of one transfer.

Sixteen threads sharing one httpx connection pool spend much of their time waiting on the pool's
lock (every request and every response close takes it). A client per thread keeps each pool
uncontended; the clients live as long as one upload or download call and are closed with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

import httpx


class ThreadClients:
    """Hands each calling thread its own client, made on first use by ``make``.

    Args:
        make: builds a fresh client (called once per thread).
        shared: when given, every thread gets this one client instead (an injected transport,
            e.g. in tests, is shared and never closed here).
    """

    def __init__(self, make: Callable[[], httpx.Client], shared: httpx.Client | None = None) -> None:
        self._make = make
        self._shared = shared
        self._local = threading.local()
        self._lock = threading.Lock()
        self._made: list[httpx.Client] = []
        self._closed = False

    def get(self) -> httpx.Client:
        """The calling thread's client."""
        if self._shared is not None:
            return self._shared
        if self._closed:
            raise RuntimeError("the transfer's connections are already closed")
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            with self._lock:
                if self._closed:
                    raise RuntimeError("the transfer's connections are already closed")
                client = self._make()
                self._made.append(client)
            self._local.client = client
        return client

    def close(self) -> None:
        """Close every client made so far (the shared one stays open)."""
        with self._lock:
            self._closed = True
            made, self._made = self._made, []
        for client in made:
            client.close()

    def __enter__(self) -> ThreadClients:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
