"""`vi_ext.upload_memory`: a bounded window of tasks, and glibc's free heap handed back."""

from __future__ import annotations

import platform
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from vi_ext import upload_memory
from vi_ext.upload_memory import bounded_map, trim_due, window_for


def test_bounded_map_keeps_order_and_never_more_than_the_window_in_flight() -> None:
    lock = threading.Lock()
    running, most = [0], [0]

    def task(i: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.001 * (i % 3))  # uneven: results arrive out of order
        with lock:
            running[0] -= 1
        return i * i

    with ThreadPoolExecutor(max_workers=8) as pool:
        submitted = [0]
        real_submit = pool.submit

        def counting_submit(*args: object) -> object:
            submitted[0] += 1
            return real_submit(*args)  # type: ignore[arg-type]

        pool.submit = counting_submit  # type: ignore[method-assign]
        assert bounded_map(pool, task, list(range(300)), window=3) == [i * i for i in range(300)]
    assert submitted[0] == 300
    assert 1 <= most[0] <= 3


def test_bounded_map_raises_the_first_error_and_submits_nothing_after_it() -> None:
    started: list[int] = []

    def task(i: int) -> int:
        started.append(i)
        if i == 5:
            raise ValueError("boom")
        return i

    with ThreadPoolExecutor(max_workers=2) as pool, pytest.raises(ValueError, match="boom"):
        bounded_map(pool, task, list(range(1000)), window=2)
    assert 5 in started
    assert len(started) < 20  # stopped near the failure, not the whole list


def test_bounded_map_of_nothing_is_empty() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert bounded_map(pool, str, [], window=4) == []


def test_window_and_trim_decisions() -> None:
    assert window_for(16) == 32
    assert window_for(0) == upload_memory.WINDOW_PER_WORKER
    assert not trim_due(upload_memory.TRIM_EVERY - 1)
    assert trim_due(upload_memory.TRIM_EVERY)


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_release_free_heap_calls_glibc_malloc_trim() -> None:
    assert upload_memory.release_free_heap() is True
