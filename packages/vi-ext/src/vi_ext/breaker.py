"""A circuit breaker shared by every worker of one transfer call.

Each worker retries its own requests (`vi_ext.retry`). When the endpoint is gone, thousands of files
would each spend their whole retry budget on it. The breaker watches every attempt of the call:
once attempts have failed at the transport level (connection refused, reset, timed out) with no
answer at all from the endpoint for a while, it opens, and every worker stops at its next attempt.
Any HTTP answer, even a 5xx, proves the endpoint alive and resets it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BreakerRule:
    """When a run of transport failures counts as "persistently unreachable".

    Attributes:
        min_failures: failed attempts in a row (across all workers), with no answer in between.
        min_seconds: how long the run must have lasted since its first failure.
    """

    min_failures: int = 10
    min_seconds: float = 3.0


def should_open(streak: int, streak_started: float | None, now: float, rule: BreakerRule) -> bool:
    """Whether a run of ``streak`` failures that began at ``streak_started`` opens the breaker."""
    if streak_started is None or streak < rule.min_failures:
        return False
    return now - streak_started >= rule.min_seconds


def origin(url: str | httpx.URL) -> str:
    """``scheme://host[:port]`` of ``url`` (what the error names; never a signed query string)."""
    parsed = httpx.URL(url)
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}"


class Breaker:
    """Thread-safe failure bookkeeping for one call; see `should_open` for the decision."""

    def __init__(self, rule: BreakerRule | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.rule = rule or BreakerRule()
        self._clock = clock
        self._lock = threading.Lock()
        self._streak = 0
        self._started: float | None = None
        self._open = False
        self.endpoint = ""
        self.last_error = ""

    @property
    def is_open(self) -> bool:
        """Whether the endpoint was judged unreachable (stays open for the rest of the call)."""
        return self._open

    def answered(self) -> None:
        """The endpoint answered (any HTTP status): the run of failures is over."""
        with self._lock:
            self._streak, self._started = 0, None

    def failed(self, url: str | httpx.URL, error: str) -> bool:
        """Record a transport failure; return whether the breaker is (now) open."""
        with self._lock:
            now = self._clock()
            if self._started is None:
                self._started = now
            self._streak += 1
            self.endpoint, self.last_error = origin(url), error
            if not self._open and should_open(self._streak, self._started, now, self.rule):
                self._open = True
                log.info("circuit breaker open: %s (%d failed attempts in a row)", self.describe(), self._streak)
            return self._open

    def describe(self) -> str:
        """One sentence naming the endpoint and the last error."""
        return f"{self.endpoint} stopped answering ({self.last_error})"
