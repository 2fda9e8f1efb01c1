"""An upload's memory: a bounded window of tasks, glibc's free heap handed back, a lean session decode."""

from __future__ import annotations

import copy
import dataclasses
import platform
import threading
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.helpers.fake_vi import ORG, SCHEMAS
from vi_ext import convert, upload_memory
from vi_ext.upload_memory import bounded_map, trim_due, window_for
from vi_ext.upload_outcome import created_session


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

        def counting_submit(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            submitted[0] += 1
            return real_submit(fn, *args, **kwargs)

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


def _create_answer(count: int) -> dict[str, Any]:
    """A create answer like the reference server's: the request's assets echoed, a signed URL each."""
    body: dict[str, Any] = copy.deepcopy(SCHEMAS["AssetIngestionSession"]["example"])
    body["datasetId"] = f"{ORG}_ds"
    body["status"]["events"] = []
    meta = [{"kind": "Image", "filename": f"part/t-{i:06d}.png", "mime": "image/png", "size": 100, "crc32c": 1234}
            for i in range(count)]  # fmt: skip
    body["spec"]["assets"] = meta
    body["status"]["assets"] = [
        {"metadata": dict(a), "method": "PUT",
         "upload": {"url": f"http://127.0.0.1:9/storage/{a['filename']}?X-Goog-Signature={'a' * 256}",
                    "expiry": 4102444800000, "headers": {"Content-Type": "image/png"}, "method": "PUT"}}
        for a in meta
    ]  # fmt: skip
    return body


def _decode_peak(decode: Callable[[dict[str, Any]], Any], count: int) -> tuple[Any, int]:
    answer = _create_answer(count)
    tracemalloc.start()
    try:
        decoded = decode(answer)
        return decoded, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_created_session_is_decoded_one_asset_at_a_time() -> None:
    """All generated models of a 10 000-asset answer were alive at once, next to the converted ones."""
    # The old path: the generated model of the whole answer, then converted (tests import no
    # generated code; the converter's own reference to it is the old path as it ran).
    generated = vars(convert)["g"]
    whole, whole_peak = _decode_peak(
        lambda d: convert.session(generated.AssetIngestionSession.from_dict(d), ORG), 3_000
    )
    lean, lean_peak = _decode_peak(lambda d: created_session(d, ORG), 3_000)
    assert lean == dataclasses.replace(whole, spec=dataclasses.replace(whole.spec, assets=None))
    assert len(lean.status.assets) == 3_000
    assert lean_peak < whole_peak / 2, (lean_peak, whole_peak)  # measured: ~4x lower


def test_a_created_session_without_assets_and_a_malformed_asset_list() -> None:
    answer = _create_answer(2)
    del answer["status"]["assets"]
    assert created_session(answer, ORG).status.assets is None
    broken = _create_answer(2)
    broken["status"]["assets"] = {"not": "a list"}
    with pytest.raises(TypeError):
        created_session(broken, ORG)
