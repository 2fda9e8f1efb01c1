"""One signed-URL PUT with retries: the body is re-opened for every attempt, 403 asks for a new URL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO

import httpx

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
class PutFailed:
    """Gave up; ``message`` says why."""

    message: str
    unreadable: bool = False


PutOutcome = PutDone | PutRefresh | PutFailed


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
) -> PutOutcome:
    """Send ``size`` bytes with ``Content-Length`` (never chunked); retry transport errors, 408/429/5xx."""
    attempt = 0
    while True:
        attempt += 1
        if expiry_ms and expiry_ms / 1000 < time.time() + 2:
            return PutRefresh()
        retry_after: float | None = None
        try:
            with open_body() as body:
                response = storage.request(method, url, content=body, headers={**headers, "Content-Length": str(size)})
            if 200 <= response.status_code < 300:
                return PutDone(response.headers, response.content)
            if response.status_code == 403:
                return PutRefresh()
            problem = f"storage answered HTTP {response.status_code}: {response.text[:200]}"
            if not retryable_status(response.status_code):
                return PutFailed(problem)
            retry_after = parse_retry_after(response.headers.get("retry-after"))
        except OSError as exc:
            return PutFailed(f"cannot read the file: {exc}", unreadable=True)
        except httpx.TransportError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        wait = policy.delay(attempt, retry_after)
        if wait is None:
            return PutFailed(f"{problem} (after {attempt} attempts)")
        sleep(wait)
