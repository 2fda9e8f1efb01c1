"""One signed-URL PUT with retries: the body is re-opened for every attempt, 403 asks for a new URL.

A 409 means storage no longer accepts this file (its session stopped, e.g. after the first error
under FailAfterOne): never retried, never an upload failure of its own. An optional `Breaker`
shared by the call's workers ends the retries once the endpoint is persistently unreachable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO

import httpx

from vi_ext.breaker import Breaker
from vi_ext.retry import RetryPolicy, parse_retry_after, retryable_status

BodyOpener = Callable[[], AbstractContextManager[BinaryIO | Iterator[bytes]]]


@dataclass(frozen=True)
class PutDone:
    """Stored: the storage answer's headers and body."""

    headers: httpx.Headers
    body: bytes


@dataclass(frozen=True)
class PutRefresh:
    """The URL is dead (403 or expired): get a fresh one."""


@dataclass(frozen=True)
class PutClosed:
    """Storage answered 409: this file no longer accepts uploads (its session stopped)."""

    message: str


@dataclass(frozen=True)
class PutFailed:
    """Gave up; ``message`` says why (``unreachable``: the call's breaker is open; ``transport``: the
    last attempt got no answer at all)."""

    message: str
    unreadable: bool = False
    unreachable: bool = False
    transport: bool = False


PutOutcome = PutDone | PutRefresh | PutClosed | PutFailed


def signed_put(
    storage: httpx.Client,
    method: str,
    url: str,
    headers: dict[str, str],
    size: int,
    open_body: BodyOpener,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
    expiry_ms: int | None = None,
    breaker: Breaker | None = None,
) -> PutOutcome:
    """Send ``size`` bytes with ``Content-Length`` (never chunked); retry transport errors, 408/429/5xx.

    Args:
        breaker: consulted before every attempt and told of every answer and transport failure;
            once open, the PUT gives up at once (`PutFailed` with ``unreachable``).
    """
    attempt = 0
    while True:
        attempt += 1
        if breaker is not None and breaker.is_open:
            return PutFailed(f"not sent: {breaker.describe()}", unreachable=True)
        if expiry_ms and expiry_ms / 1000 < time.time() + 2:
            return PutRefresh()
        retry_after: float | None = None
        transport = False
        try:
            with open_body() as body:
                response = storage.request(method, url, content=body, headers={**headers, "Content-Length": str(size)})
            if breaker is not None:
                breaker.answered()
            if 200 <= response.status_code < 300:
                return PutDone(response.headers, response.content)
            if response.status_code == 403:
                return PutRefresh()
            problem = f"storage answered HTTP {response.status_code}: {response.text[:200]}"
            if response.status_code == 409:
                return PutClosed(problem)
            if not retryable_status(response.status_code):
                return PutFailed(problem)
            retry_after = parse_retry_after(response.headers.get("retry-after"))
        except OSError as exc:
            return PutFailed(f"cannot read the file: {exc}", unreadable=True)
        except httpx.TransportError as exc:
            problem = f"{type(exc).__name__}: {exc}"
            transport = True
            if breaker is not None and breaker.failed(url, problem):
                return PutFailed(f"{problem}; {breaker.describe()}", unreachable=True)
        wait = policy.delay(attempt, retry_after)
        if wait is None:
            return PutFailed(f"{problem} (after {attempt} attempts)", transport=transport)
        sleep(wait)
