"""Waiting for long-running resources: fast first polls, backing off, with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from vi_ext.errors import ViTimeoutError

T = TypeVar("T")


def poll_delays(first: float = 0.05, factor: float = 1.5, cap: float = 1.0) -> Iterator[float]:
    """0.05 s, 0.075 s, 0.11 s, … up to ``cap`` seconds, forever."""
    delay = first
    while True:
        yield delay
        delay = min(cap, delay * factor)


def wait_for(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    timeout: float | None,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Poll ``fetch`` until ``done``; past ``timeout`` raise `ViTimeoutError` with the last state seen."""
    deadline = None if timeout is None else clock() + timeout
    delays = poll_delays()
    while True:
        state = fetch()
        delay = next_poll(state, done, delays, deadline, timeout, what, clock)
        if delay is None:
            return state
        sleep(delay)


def next_poll(
    state: T,
    done: Callable[[T], bool],
    delays: Iterator[float],
    deadline: float | None,
    timeout: float | None,
    what: str,
    clock: Callable[[], float] = time.monotonic,
) -> float | None:
    """The one decision of `wait_for` (shared by the async client): ``None`` when done, else the wait.

    Raises:
        ViTimeoutError: the deadline passed (``partial_result`` is ``state``).
    """
    if done(state):
        return None
    delay = next(delays)
    if deadline is not None:
        left = deadline - clock()
        if left <= 0:
            raise ViTimeoutError(f"{what} did not finish within {timeout:g} s", partial_result=state)
        delay = min(delay, left)
    return delay
