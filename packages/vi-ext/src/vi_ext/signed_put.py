"""One signed-URL PUT on the retry engine (`vi_ext.retry.retrying`): the body is re-opened for every
attempt, 403 or an expiring URL asks for a new URL (`DeadUrl`).

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
from vi_ext.retry import DeadUrl, Done, Fail, Outcome, Retry, RetryPolicy, retry_after_of, retryable_status, retrying
from vi_ext.wire import url_expired

BodyOpener = Callable[[], AbstractContextManager[BinaryIO | Iterator[bytes]]]


@dataclass(frozen=True)
class PutDone:
    """Stored: the storage answer's headers and body."""

    headers: httpx.Headers
    body: bytes


@dataclass(frozen=True)
class PutClosed:
    """Storage answered 409: this file no longer accepts uploads (its session stopped)."""

    message: str


PutFailed = Fail
"""Gave up (`vi_ext.retry.Fail`): ``unreachable`` when the call's breaker is open, ``transport`` when
the last attempt got no answer at all, ``unreadable`` when the file could not be read."""

PutOutcome = PutDone | DeadUrl | PutClosed | PutFailed


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
        storage: the HTTP client for storage (no API credentials).
        method: the signed URL's method (``PUT``).
        url: the signed URL.
        headers: the headers the signature requires.
        size: the exact body length.
        open_body: opens the body afresh for every attempt.
        policy: the retry budget and backoff.
        sleep: waits between attempts (injectable for tests).
        expiry_ms: the URL's expiry (epoch ms): a URL about to expire counts as dead (`DeadUrl`).
        breaker: consulted before every attempt and told of every answer and transport failure;
            once open, the PUT gives up at once (`PutFailed` with ``unreachable``).

    Returns:
        `PutDone`, `DeadUrl` (403 or expired: get a fresh URL), `PutClosed` (409) or `PutFailed`.
    """

    def attempt(_: int) -> Outcome[PutDone | PutClosed]:
        if url_expired(expiry_ms):
            return DeadUrl()
        try:
            with open_body() as body:
                response = storage.request(method, url, content=body, headers={**headers, "Content-Length": str(size)})
        except OSError as exc:
            return Fail(f"cannot read the file: {exc}", unreadable=True)
        except httpx.TransportError as exc:
            return Retry(f"{type(exc).__name__}: {exc}", transport=True)
        if breaker is not None:
            breaker.answered()
        if 200 <= response.status_code < 300:
            return Done(PutDone(response.headers, response.content))
        if response.status_code == 403:
            return DeadUrl()
        problem = f"storage answered HTTP {response.status_code}: {response.text[:200]}"
        if response.status_code == 409:
            return Done(PutClosed(problem))
        if not retryable_status(response.status_code):
            return Fail(problem)
        return Retry(problem, retry_after_of(response.headers))

    outcome = retrying(attempt, policy, sleep, breaker, url)
    return outcome.value if isinstance(outcome, Done) else outcome
