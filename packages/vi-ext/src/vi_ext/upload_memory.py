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
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WINDOW_PER_WORKER = 2  # tasks in flight per worker thread: every worker always has its next task queued
TRIM_EVERY = 1_000  # files sent between two `malloc_trim` calls at least (one call costs a few ms)


def window_for(workers: int) -> int:
    """How many tasks `bounded_map` keeps in flight for a pool of ``workers`` threads (pure)."""
    return max(1, workers) * WINDOW_PER_WORKER


def bounded_map(pool: Executor, fn: Callable[[T], R], items: Sequence[T], window: int) -> list[R]:
    """``list(pool.map(fn, items))`` with at most ``window`` tasks submitted and not yet collected.

    Tasks are refilled as any of them ends (a slow task does not hold the others back).

    Args:
        pool: Runs the tasks.
        fn: The task.
        items: Its inputs.
        window: The most tasks in flight (at least 1).

    Returns:
        ``fn(item)`` for every item, in the order of ``items``.

    Raises:
        Exception: the first exception a task raised (tasks not started yet are cancelled).
    """
    results: list[R | None] = [None] * len(items)
    running: dict[Future[R], int] = {}
    upcoming = iter(range(len(items)))
    try:
        for index in upcoming:
            running[pool.submit(fn, items[index])] = index
            if len(running) >= window:
                break
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                results[running.pop(future)] = future.result()
            for index in upcoming:
                running[pool.submit(fn, items[index])] = index
                if len(running) >= window:
                    break
    except BaseException:
        for future in running:
            future.cancel()
        raise
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
