"""The one retry engine, the wire constants and the failure codes (issue 16, item 5)."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import BinaryIO

import httpx
import pytest

from tests.helpers.fake_vi import KEY, ORG
from vi_ext import Client, FailureCode, FileFailure
from vi_ext.breaker import Breaker, BreakerRule
from vi_ext.retry import DeadUrl, Done, Fail, Outcome, Retry, RetryPolicy, retrying
from vi_ext.signed_put import signed_put
from vi_ext.wire import SOURCE, composite_dataset_id, short_dataset_id, url_expired

POLICY = RetryPolicy(max_retries=3, jitter=lambda high: high)


def script(*outcomes: Outcome[str]) -> tuple[list[int], Callable[[int], Outcome[str]]]:
    seen: list[int] = []
    answers = list(outcomes)

    def attempt(number: int) -> Outcome[str]:
        seen.append(number)
        return answers.pop(0)

    return seen, attempt


def test_retrying_sleeps_between_attempts_and_stops_when_done() -> None:
    sleeps: list[float] = []
    seen, attempt = script(Retry("HTTP 503"), Retry("HTTP 429", retry_after=7.0), Done("ok"))
    assert retrying(attempt, POLICY, sleeps.append) == Done("ok")
    assert seen == [1, 2, 3]
    assert sleeps == [0.25, 7.0]  # backoff, then the server's Retry-After


def test_retrying_gives_up_after_the_budget_naming_the_attempts() -> None:
    seen, attempt = script(*[Retry("HTTP 503")] * 4)
    outcome = retrying(attempt, POLICY, lambda _: None)
    assert outcome == Fail("HTTP 503 (after 4 attempts)", "HTTP 503", 4, exhausted=True)
    assert seen == [1, 2, 3, 4]


@pytest.mark.parametrize("final", [DeadUrl(), Fail("storage answered HTTP 400")])
def test_retrying_hands_back_a_dead_url_or_a_failure_at_once(final: DeadUrl | Fail) -> None:
    seen, attempt = script(final)
    assert retrying(attempt, POLICY, lambda _: None) == final
    assert seen == [1]


def test_retrying_consults_the_breaker_before_every_attempt() -> None:
    now = [0.0]
    breaker = Breaker(BreakerRule(min_failures=2, min_seconds=0.0), clock=lambda: now[0])
    seen, attempt = script(*[Retry("ConnectError: refused", transport=True)] * 4)
    outcome = retrying(attempt, POLICY, lambda _: None, breaker, "http://s.test/u?sig=secret")
    assert isinstance(outcome, Fail)
    assert outcome.unreachable
    assert seen == [1, 2]  # opened on the second transport failure
    later = retrying(attempt, POLICY, lambda _: None, breaker, "http://s.test/u")
    assert isinstance(later, Fail)
    assert later.unreachable
    assert later.message.startswith("not sent: ")
    assert seen == [1, 2]  # nothing more was sent


def test_retries_refreshes_and_the_breaker_are_logged_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    answers = iter([httpx.Response(503), httpx.Response(403)])
    storage = httpx.Client(transport=httpx.MockTransport(lambda _: next(answers)))
    with caplog.at_level(logging.DEBUG, logger="vi_ext"):
        outcome = signed_put(storage, "PUT", "https://s.test/b/a.jpg?X-Sig=secret", {}, 1,
                             _body, POLICY, lambda _: None)  # fmt: skip
        breaker = Breaker(BreakerRule(min_failures=1, min_seconds=0.0))
        breaker.failed("https://s.test/b/a.jpg?X-Sig=secret", "ConnectError: refused")
    assert isinstance(outcome, DeadUrl)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("vi_ext")]
    assert any("retry 1 of https://s.test/b/a.jpg" in m and "HTTP 503" in m for m in messages), messages
    assert any("circuit breaker open: https://s.test stopped answering" in m for m in messages), messages
    assert not any("secret" in m for m in messages)


def _body() -> AbstractContextManager[BinaryIO]:
    return contextlib.nullcontext(io.BytesIO(b"x"))


def test_api_retries_are_logged_by_path(caplog: pytest.LogCaptureFixture) -> None:
    answers = [httpx.Response(503), httpx.Response(200, json={"items": [], "nextPage": None})]
    client = Client(KEY, ORG, "http://vi.test", transport=httpx.MockTransport(lambda _: answers.pop(0)),
                    sleep=lambda _: None)  # fmt: skip
    with caplog.at_level(logging.DEBUG, logger="vi_ext"):
        assert client.assets.list("ds").items == []
    assert any(f"http://vi.test/workspaces/{ORG}" in r.getMessage() and "HTTP 503" in r.getMessage()
               for r in caplog.records)  # fmt: skip
    assert not any(KEY in r.getMessage() for r in caplog.records)


def test_the_wire_constants() -> None:
    assert SOURCE == ("managed", "datature", "default")
    assert composite_dataset_id("org_1", "ds") == "org_1_ds"
    assert composite_dataset_id("org_1", "org_1_ds") == "org_1_ds"
    assert short_dataset_id("org_1_my_ds", "org_1") == "my_ds"
    assert short_dataset_id("other_ds", "org_1") == "other_ds"
    assert url_expired(1_000_000, now=999.0)  # expires within the 2 s margin
    assert not url_expired(1_000_000, now=997.0)
    assert not url_expired(None)
    assert not url_expired(0)


def test_failure_codes_keep_their_strings_on_the_wire() -> None:
    assert {c.value for c in FailureCode} == {
        "UNSUPPORTED_EXTENSION", "EMPTY_FILE", "FILE_TOO_LARGE", "UNREADABLE", "DUPLICATE_FILENAME",
        "INVALID_FILENAME", "UPLOAD_FAILED", "NOT_SENT", "UNSAFE_FILENAME", "UNSAFE_PATH", "DOWNLOAD_FAILED",
        "FILE_MISSING", "FILE_CHANGED",
    }  # fmt: skip
    failure = FileFailure("a.jpg", "a.jpg", FailureCode.NOT_SENT, "not sent")
    assert failure.code == "NOT_SENT"
    assert json.dumps({"code": failure.code}) == '{"code": "NOT_SENT"}'
    assert f"{FailureCode.UNSAFE_PATH}: x" == "UNSAFE_PATH: x"
