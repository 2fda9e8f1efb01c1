"""Memory and time limits around decoding one file in an inspection worker process.

* Memory: the first decode in a worker process caps its address space (``RLIMIT_AS``) at what
  it already uses plus ``decode_memory_bytes``; an allocation beyond that raises ``MemoryError``
  instead of swapping the machine. It is never applied in the server process itself.
* Time: ``deadline`` raises `DecodeTimeout` after ``seconds`` (``SIGALRM``; Pillow decodes in
  Python-driven chunks, so the alarm lands between them). As a backstop for a decoder stuck in
  C, the soft CPU limit (``RLIMIT_CPU``) is raised per file to what the process used plus twice
  the budget: exceeding it kills the worker, which the pool reports as a crashed file.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

_capped = False
REPEAT_SECONDS = 0.1


class DecodeTimeout(Exception):
    """Decoding one file took longer than its budget."""


def in_worker_process() -> bool:
    """Whether this is a spawned worker (limits are never applied to the server process)."""
    return multiprocessing.parent_process() is not None


def _address_space_in_use() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[0])
    return pages * resource.getpagesize()


def cap_memory(extra_bytes: int) -> None:
    """Cap this worker's address space at its current size plus ``extra_bytes`` (once per process)."""
    global _capped
    if _capped or not in_worker_process():
        return
    try:
        limit = _address_space_in_use() + extra_bytes
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError):  # no /proc or not permitted: decode without the cap
        pass
    _capped = True


def _cpu_backstop(seconds: float) -> None:
    if not in_worker_process():
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(spent + 2 * seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    with suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise `DecodeTimeout` in the block after ``seconds`` (only on the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    started = time.monotonic()

    def expired(_signum: int, _frame: FrameType | None) -> None:
        raise DecodeTimeout(f"decoding took longer than {seconds:g} s (after {time.monotonic() - started:.1f} s)")

    _cpu_backstop(seconds)
    previous = signal.signal(signal.SIGALRM, expired)
    # The alarm repeats: a decoder that swallows one exception is interrupted again.
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_SECONDS)
    try:
        yield
        if time.monotonic() - started > seconds:  # finished, but only after the budget ran out
            raise DecodeTimeout(f"decoding took longer than {seconds:g} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
