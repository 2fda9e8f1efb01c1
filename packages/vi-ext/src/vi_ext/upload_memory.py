"""Keeping an upload's memory flat: a bounded window of tasks, and freed heap handed back between batches.

Two things made a long upload's resident memory creep up with the number of files even though
nothing per file is kept (issue 17, scale scenario S1):

- ``pool.map`` over a batch submits every file at once: 10 000 futures (each with its own
  condition and locks, ~1.5 KB) for the PUTs and as many for the checksums, all alive until the
  batch ends. `bounded_map` keeps only a small window of tasks in flight.
- Sixteen transfer threads each allocate from their own glibc malloc arena; memory they free is
  kept by the arena, scattered between live blocks, so the process's RSS rises batch after batch.
  `release_free_heap` asks glibc (``malloc_trim``) to give free pages back, once per batch
  (`TRIM_EVERY` files at least); elsewhere (macOS, musl, Windows) it does nothing.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WINDOW_PER_WORKER = 2  # tasks in flight per worker thread: every worker always has its next task queued
TRIM_EVERY = 1_000  # files sent between two `malloc_trim` calls at least (one call costs a few ms)


def window_for(workers: int) -> int:
    """How many tasks `bounded_map` keeps in flight for a pool of ``workers`` threads (pure)."""
    return max(1, workers) * WINDOW_PER_WORKER


def bounded_map(pool: Executor, fn: Callable[[T], R], items: Sequence[T], window: int) -> list[R]:
    """``list(pool.map(fn, items))`` with at most ``window`` tasks submitted and not yet ended.

    A task's end frees its slot for the next item (a slow task does not hold the others back);
    no future is kept once its result is stored.

    Args:
        pool: Runs the tasks.
        fn: The task.
        items: Its inputs.
        window: The most tasks in flight (at least 1).

    Returns:
        ``fn(item)`` for every item, in the order of ``items``.

    Raises:
        BaseException: the first exception a task raised (no further item is submitted; the
            tasks in flight are awaited first).
    """
    window = max(1, window)
    results: list[R | None] = [None] * len(items)
    slots = threading.Semaphore(window)
    errors: list[BaseException] = []

    def collect(index: int, future: Future[R]) -> None:
        try:
            results[index] = future.result()
        except BaseException as exc:  # raised again in the calling thread
            errors.append(exc)
        finally:
            slots.release()

    for index, item in enumerate(items):
        slots.acquire()
        if errors:
            slots.release()
            break
        try:
            future = pool.submit(fn, item)
        except BaseException:
            slots.release()
            raise
        future.add_done_callback(functools.partial(collect, index))
    for _ in range(window):  # every slot back: every task submitted has ended
        slots.acquire()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]  # every slot was filled above


def trim_due(files_since: int) -> bool:
    """Whether enough files went by since the last trim to make another worth its cost (pure)."""
    return files_since >= TRIM_EVERY


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to call
        return None
    trim.argtypes = [ctypes.c_size_t]  # type: ignore[attr-defined]
    trim.restype = ctypes.c_int  # type: ignore[attr-defined]
    return trim


def release_free_heap() -> bool:
    """Give the C heap's free pages back to the OS (glibc ``malloc_trim(0)``, every arena).

    Returns:
        Whether glibc's ``malloc_trim`` was called (``False`` where it does not exist).
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
