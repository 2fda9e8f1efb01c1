"""A dead endpoint ends the call quickly (issue 13 item 2): the call-wide circuit breaker."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import time
import uuid
from pathlib import Path
from typing import BinaryIO

import httpx
import pytest

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client, ViNetworkError, ViUploadError
from vi_ext.breaker import Breaker, BreakerRule, origin, should_open
from vi_ext.progress import ProgressEvent
from vi_ext.retry import RetryPolicy
from vi_ext.signed_put import PutDone, PutFailed, signed_put

RULE = BreakerRule(min_failures=4, min_seconds=2.0)


def body() -> contextlib.nullcontext[BinaryIO]:
    return contextlib.nullcontext(io.BytesIO(b"abc"))


@pytest.mark.parametrize(
    ("streak", "started", "now", "expected"),
    [(0, None, 10.0, False), (3, 0.0, 10.0, False), (4, 0.0, 1.9, False), (4, 0.0, 2.0, True), (50, 5.0, 7.5, True)],
)
def test_the_breaker_decision(streak: int, started: float | None, now: float, expected: bool) -> None:
    assert should_open(streak, started, now, RULE) is expected


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_signed_puts_stop_at_once_when_the_endpoint_refuses_connections() -> None:
    clock = Clock()
    breaker = Breaker(RULE, clock)
    calls: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        raise httpx.ConnectError("[Errno 111] Connection refused")

    storage = httpx.Client(transport=httpx.MockTransport(refuse))
    policy = RetryPolicy(max_retries=5, jitter=lambda high: high)

    def put() -> object:
        return signed_put(storage, "PUT", "http://storage.test:9000/u/1?sig=secret", {}, 3,
                          body, policy, clock.sleep, None, breaker)  # fmt: skip

    first = put()  # failures at 0, 0.25, 0.75, 1.75 s (four, but not 2 s yet), 3.75 s: opens on the fifth
    assert isinstance(first, PutFailed)
    assert first.unreachable
    assert len(calls) == 5
    assert breaker.is_open
    assert breaker.describe().startswith("http://storage.test:9000 stopped answering (ConnectError")
    assert "secret" not in breaker.describe()
    again = put()  # every other worker gives up before sending anything
    assert isinstance(again, PutFailed)
    assert again.unreachable
    assert len(calls) == 5


def test_an_answer_resets_the_run_of_failures() -> None:
    clock = Clock()
    breaker = Breaker(RULE, clock)
    script = iter(
        [httpx.ConnectError("x")] * 3 + [httpx.Response(503)] + [httpx.ConnectError("x")] * 3 + [httpx.Response(200)]
    )

    def flaky(request: httpx.Request) -> httpx.Response:
        outcome = next(script)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    storage = httpx.Client(transport=httpx.MockTransport(flaky))
    policy = RetryPolicy(max_retries=10, jitter=lambda high: high)
    outcome = signed_put(storage, "PUT", "http://s.test/u", {}, 3, body, policy,
                         clock.sleep, None, breaker)  # fmt: skip
    assert isinstance(outcome, PutDone)  # the 503 proved the endpoint alive: never opened
    assert not breaker.is_open


def test_origin_names_only_scheme_host_and_port() -> None:
    assert origin("https://storage.example/bucket/a.jpg?X-Sig=abc") == "https://storage.example"
    assert origin("http://127.0.0.1:8080/u/1") == "http://127.0.0.1:8080"


def test_a_server_killed_mid_upload_ends_the_call_quickly(tmp_path: Path) -> None:
    """SIGKILL the reference server half-way: ViNetworkError with the partial result, well within 60 s."""
    server = RunningServer(tmp_path / "data").start()
    try:
        folder = tmp_path / "imgs"
        for i in range(400):
            write_image(folder / f"{i:04d}.jpg", seed=i, size=(24, 16))
        client = Client(config_file=server.data_dir / "credentials.json")
        dataset = "kill-" + uuid.uuid4().hex[:6]
        client.datasets.create(dataset, dataset_id=dataset)
        killed_at: list[float] = []

        def kill_half_way(event: ProgressEvent) -> None:
            if event.done_files >= 40 and not killed_at and server.proc is not None:
                os.killpg(server.proc.pid, signal.SIGKILL)
                killed_at.append(time.monotonic())

        with pytest.raises(ViNetworkError) as caught:
            client.assets.upload(dataset, folder, show_progress=False, progress=kill_half_way)
        elapsed = time.monotonic() - killed_at[0]
    finally:
        if server.proc is not None:
            server.proc.wait()
            server.proc = None
    assert elapsed < 30, f"the call took {elapsed:.1f} s after the server died"
    error = caught.value
    assert isinstance(error, ViUploadError)
    assert server.endpoint in error.message
    assert "skip_existing=True" in error.message
    assert "--skip-existing" in error.message
    result = error.result
    assert result is not None
    assert result.total_files == 400
    assert result.total_succeeded + result.total_failed + result.total_processing == 400
    assert {f.code for f in result.failures} == {"NOT_SENT"}
    assert result.total_failed >= 200  # most files were never sent, and say so
