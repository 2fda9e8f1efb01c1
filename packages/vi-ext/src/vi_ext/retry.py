"""The one retry mechanism: the policy as pure decisions, one engine that runs attempts, the API transport.

`RetryPolicy`, `retryable_status` and `parse_retry_after` decide; `retrying` runs one attempt at a
time, interprets its `Outcome` (done / retry / dead URL / fail) and sleeps between attempts. Every
loop that retries uses it: the API's `RetryTransport`, signed PUTs (`vi_ext.signed_put`, also for
multipart parts) and downloads (`vi_ext.download`). Retries are logged on the ``vi_ext.retry``
logger at DEBUG level, naming only the method and origin or path (never a signed query string).
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import httpx

from vi_ext.breaker import Breaker, origin
from vi_ext.wire import RETRY_AFTER

T = TypeVar("T")
log = logging.getLogger(__name__)

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


def retry_after_of(headers: httpx.Headers) -> float | None:
    """Seconds from the ``Retry-After`` header of an answer; ``None`` if absent/invalid."""
    return parse_retry_after(headers.get(RETRY_AFTER))


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


@dataclass(frozen=True)
class Done(Generic[T]):
    """The attempt settled the matter: stop with ``value`` (a success, or an answer not worth retrying)."""

    value: T


@dataclass(frozen=True)
class Retry:
    """The attempt failed in a way worth another try.

    Attributes:
        problem: what went wrong (for the final message and the log).
        retry_after: the server's ``Retry-After`` in seconds, if it sent one.
        transport: no answer at all (connection refused, reset, timed out): counts for the breaker.
    """

    problem: str
    retry_after: float | None = None
    transport: bool = False


@dataclass(frozen=True)
class DeadUrl:
    """The signed URL is dead (storage answered 403, or it expires within the margin): get a fresh one."""


@dataclass(frozen=True)
class Fail:
    """Gave up.

    Attributes:
        message: why, ready for a failure record.
        problem: the last attempt's problem alone (``message`` may add the attempt count).
        attempts: how many attempts were made.
        unreadable: the local file could not be read.
        unreachable: the call's breaker is open: the endpoint stopped answering.
        transport: the last attempt got no answer at all.
        exhausted: the retry budget ran out (``message`` then ends with the attempt count).
    """

    message: str
    problem: str = ""
    attempts: int = 0
    unreadable: bool = False
    unreachable: bool = False
    transport: bool = False
    exhausted: bool = False


Outcome = Done[T] | Retry | DeadUrl | Fail
"""What one attempt ends with."""


def retrying(
    attempt: Callable[[int], Outcome[T]],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
    breaker: Breaker | None = None,
    url: str | httpx.URL = "",
) -> Done[T] | DeadUrl | Fail:
    """Run ``attempt`` (given its 1-based number) until it is done, its URL is dead, it fails or the budget ends.

    Args:
        attempt: one try; returns an `Outcome` (exceptions it raises propagate).
        policy: how long to wait before each retry, and how many there may be.
        sleep: waits between attempts (injectable for tests).
        breaker: the call's circuit breaker: consulted before every attempt (open: `Fail` with
            ``unreachable`` at once) and told of every transport failure; the attempt itself tells
            it of answers (`Breaker.answered`).
        url: the request's URL, for the breaker and the log (which show no query string).

    Returns:
        `Done`, `DeadUrl`, or `Fail` (its ``message`` ends with the attempt count when the
        budget ran out).
    """
    number = 0
    while True:
        number += 1
        if breaker is not None and breaker.is_open:
            return Fail(f"not sent: {breaker.describe()}", attempts=number - 1, unreachable=True)
        step = after_attempt(attempt(number), number, policy, breaker, url)
        if not isinstance(step, float):
            return step
        sleep(step)


def after_attempt(
    outcome: Outcome[T], number: int, policy: RetryPolicy, breaker: Breaker | None = None, url: str | httpx.URL = ""
) -> Done[T] | DeadUrl | Fail | float:
    """What follows attempt ``number`` (the one decision of `retrying`, shared by the async client's loop).

    Args:
        outcome: what the attempt ended with.
        number: its 1-based number.
        policy: the retry budget and backoff.
        breaker: the call's circuit breaker, told of a transport failure.
        url: the request's URL, for the breaker and the log.

    Returns:
        The final `Done`, `DeadUrl` or `Fail`; or the seconds to wait before the next attempt.
    """
    if not isinstance(outcome, Retry):
        return outcome
    if outcome.transport and breaker is not None and breaker.failed(url, outcome.problem):
        return Fail(f"{outcome.problem}; {breaker.describe()}", outcome.problem, number, unreachable=True)
    wait = policy.delay(number, outcome.retry_after)
    if wait is None:
        message = f"{outcome.problem} (after {number} attempts)"
        return Fail(message, outcome.problem, number, transport=outcome.transport, exhausted=True)
    log.debug("retry %d of %s in %.2f s: %s", number, _shown(url), wait, outcome.problem)
    return float(wait)


def _shown(url: str | httpx.URL) -> str:
    """``scheme://host[:port]/path`` of ``url``: what a log line may name (no signed query string)."""
    if not url:
        return "a request"
    return f"{origin(url)}{httpx.URL(url).path}"


class RetryTransport(httpx.BaseTransport):
    """Retries connection errors, timeouts, 408, 429 and 5xx for every API request (through `retrying`).

    Bodies of API requests are bytes, so a retry re-sends the same request. Creating an ingestion
    session twice is harmless (an unused session expires with no assets), so POSTs are retried too.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Wrap ``inner``.

        Args:
            inner: the transport that sends each attempt.
            policy: the retry budget and backoff.
            sleep: waits between attempts (injectable for tests).
        """
        self.inner = inner
        self.policy = policy
        self.sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send with retries.

        Args:
            request: the API request (its ``ATTEMPTS`` extension is set to the attempt number).

        Returns:
            The first answer not worth retrying, or the last answer when the budget is spent.

        Raises:
            httpx.TransportError: the last attempt's error, when it got no answer.
        """
        last: list[httpx.Response | Exception] = []

        def attempt(number: int) -> Outcome[httpx.Response]:
            if last and isinstance(last[0], httpx.Response):
                last[0].close()  # a retried answer is dropped
            request.extensions[ATTEMPTS] = number
            try:
                response = self.inner.handle_request(request)
                response.read()  # API answers are small: a body cut mid-way is retried here too
            except RETRYABLE_ERRORS as exc:
                if not may_resend(request, exc):
                    raise
                last[:] = [exc]
                return Retry(f"{type(exc).__name__}: {exc}", transport=True)
            if not retryable_status(response.status_code) or not may_resend(request, response.status_code):
                return Done(response)
            last[:] = [response]
            return Retry(f"HTTP {response.status_code}", retry_after_of(response.headers))

        outcome = retrying(attempt, self.policy, self.sleep, url=request.url)
        if isinstance(outcome, Done):
            return outcome.value
        final = last[0]
        if isinstance(final, httpx.Response):
            return final
        raise final

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()
