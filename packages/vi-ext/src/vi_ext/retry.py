"""Retry policy as pure decisions, and an httpx transport that applies it to API calls."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter; ``Retry-After`` honoured up to a cap."""

    max_retries: int = 5
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 30.0
    jitter: Callable[[float], float] = field(default=lambda high: random.uniform(0, high), repr=False)

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1-based) with no server hint."""
        return self.jitter(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Delay before retry ``attempt``, or ``None`` when the budget is spent."""
        if attempt > self.max_retries:
            return None
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return self.backoff(attempt)


def retryable_status(status: int) -> bool:
    """Statuses worth another try: 408, 429, 5xx."""
    return status in RETRY_STATUSES or status >= 500


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date); ``None`` if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


RETRYABLE_ERRORS: tuple[type[Exception], ...] = (httpx.TransportError,)
ATTEMPTS = "vi_ext.attempts"  # request extension: how many times the transport sent the request
RESEND = "vi_ext.resend"  # request extension: UNSEEN_ONLY for a request that must not run twice
UNSEEN_ONLY = "unseen-only"


def may_resend(request: httpx.Request, failure: Exception | int) -> bool:
    """Whether ``request`` may be sent again after ``failure`` (an error or a status).

    A request marked ``RESEND: UNSEEN_ONLY`` (one the server cannot recognise as a repeat) is sent
    again only when the server provably never acted on it: the connection was never made, or 429.
    """
    if request.extensions.get(RESEND) != UNSEEN_ONLY:
        return True
    if isinstance(failure, int):
        return failure == 429
    return isinstance(failure, (httpx.ConnectError, httpx.ConnectTimeout))


class RetryTransport(httpx.BaseTransport):
    """Retries connection errors, timeouts, 408, 429 and 5xx for every API request.

    Bodies of API requests are bytes, so a retry re-sends the same request. Creating an ingestion
    session twice is harmless (an unused session expires with no assets), so POSTs are retried too.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner = inner
        self.policy = policy
        self.sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send with retries; the last answer or error is returned/raised."""
        attempt = 0
        while True:
            attempt += 1
            request.extensions[ATTEMPTS] = attempt
            try:
                response = self.inner.handle_request(request)
                response.read()  # API answers are small: a body cut mid-way is retried here too
            except RETRYABLE_ERRORS as exc:
                wait = self.policy.delay(attempt, None) if may_resend(request, exc) else None
                if wait is None:
                    raise
                self.sleep(wait)
                continue
            if not retryable_status(response.status_code) or not may_resend(request, response.status_code):
                return response
            wait = self.policy.delay(attempt, parse_retry_after(response.headers.get("retry-after")))
            if wait is None:
                return response
            response.close()
            self.sleep(wait)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()
