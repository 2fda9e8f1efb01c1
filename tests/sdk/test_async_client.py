"""`vi_ext.AsyncClient` with scripted HTTP (httpx.MockTransport): the sync client's behaviour, awaited."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
import pytest

from tests.sdk.test_unit import KEY, ORG, SCHEMAS, asset_json, page
from vi_ext import AsyncClient, AsyncPaginatedResponse, PaginationError, ViServerError, ViTimeoutError
from vi_ext.errors import ViAuthenticationError, ViConflictError, ViRateLimitError, ViValidationError

T = TypeVar("T")
Handler = Callable[[httpx.Request], httpx.Response]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def client_for(handler: Handler, sleeps: list[float] | None = None, max_retries: int = 5) -> AsyncClient:
    record = sleeps if sleeps is not None else []

    async def sleep(seconds: float) -> None:
        record.append(seconds)

    return AsyncClient(KEY, ORG, "http://vi.test/api", transport=httpx.MockTransport(handler), sleep=sleep,
                       max_retries=max_retries)  # fmt: skip


def test_503_then_success_and_429_with_retry_after() -> None:
    answers = [httpx.Response(503), httpx.Response(429, headers={"Retry-After": "3"}), page([asset_json()], None)]
    sleeps: list[float] = []

    async def go() -> list[str]:
        async with client_for(lambda _: answers.pop(0), sleeps) as client:
            first = await client.assets.list("ds")
            assert isinstance(first, AsyncPaginatedResponse)
            return [a.asset_id for a in first.items]

    assert run(go()) == ["a0"]
    assert len(sleeps) == 2
    assert sleeps[1] == 3


def test_retry_budget_ends_in_a_typed_error() -> None:
    sleeps: list[float] = []
    client = client_for(lambda _: httpx.Response(429, json={"message": "slow down"}), sleeps, max_retries=2)
    with pytest.raises(ViRateLimitError, match="slow down"):
        run(client.assets.list("ds"))
    assert len(sleeps) == 2


def test_connection_errors_are_retried_then_typed() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("refused", request=request)

    from vi_ext import ViNetworkError

    with pytest.raises(ViNetworkError):
        run(client_for(handler, max_retries=3).datasets.get("ds"))
    assert len(calls) == 4


def test_html_502_and_malformed_json_become_server_errors() -> None:
    html = client_for(lambda _: httpx.Response(502, text="<html><h1>Bad Gateway</h1></html>"), max_retries=0)
    with pytest.raises(ViServerError, match="HTTP 502"):
        run(html.assets.list("ds"))
    broken = client_for(lambda _: httpx.Response(200, text="{not json"))
    with pytest.raises(ViServerError, match="unexpected answer"):
        run(broken.assets.list("ds"))


def test_auth_error_carries_status_and_code() -> None:
    client = client_for(lambda _: httpx.Response(401, json={"message": "invalid key", "code": "AuthenticationFailed"}))
    with pytest.raises(ViAuthenticationError) as caught:
        run(client.datasets.get("ds"))
    assert (caught.value.status_code, caught.value.error_code) == (401, "AuthenticationFailed")
    assert KEY not in str(caught.value)


def test_errors_speak_of_the_short_dataset_id() -> None:
    client = client_for(lambda _: httpx.Response(409, json={"message": f"dataset {ORG}_ds exists"}))
    with pytest.raises(ViConflictError) as caught:
        run(client.datasets.get("ds"))
    assert f"{ORG}_" not in str(caught.value)


def test_create_without_id_is_not_resent_after_a_lost_answer() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ReadError("reset", request=request)

    from vi_ext import ViNetworkError

    with pytest.raises(ViNetworkError):
        run(client_for(handler).datasets.create("x"))
    assert len(calls) == 1


def test_pages_follow_tokens_and_stop_on_a_repeat() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("p")
        seen.append(token)
        assert request.url.path == f"/api/workspaces/{ORG}/datasets/{ORG}_ds/assets"  # endpoint prefix kept
        return page([asset_json(len(seen))], "same-token")

    async def go() -> None:
        first = await client_for(handler).assets.list("ds", pagination={"page_size": 1})
        pages = aiter(first)
        assert await anext(pages) is first  # the first page is not fetched again
        await anext(pages)
        with pytest.raises(PaginationError):
            await anext(pages)

    run(go())
    assert seen == [None, "same-token"]


@pytest.mark.parametrize("prefetch", [True, False])
def test_all_items_walks_every_page_in_order(prefetch: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("p") or 0)
        return page([asset_json(2 * n), asset_json(2 * n + 1)], str(n + 1) if n < 2 else None)

    async def go() -> list[str]:
        first = await client_for(handler).assets.list("ds")
        return [a.asset_id async for a in first.all_items(prefetch=prefetch)]

    assert run(go()) == [f"a{i}" for i in range(6)]


def test_list_sends_the_wire_parameters() -> None:
    captured: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        captured.append(request.url)
        return page([], None)

    run(client_for(handler).assets.list("ds", contents=True, sort_by={"criterion": "filename", "order": "desc"},
                                        filter_criteria={"k": "v"}, strict_query=True))  # fmt: skip
    params = dict(captured[0].params)
    assert params == {"s": "10", "sortBy": "filename", "o": "desc", "filter": '{"k": "v"}', "contents": "y",
                      "strictQuery": "y"}  # fmt: skip


def test_an_ingestion_that_never_finishes_hits_the_deadline() -> None:
    session = copy.deepcopy(SCHEMAS["AssetIngestionSession"]["example"])
    session["status"]["conditions"] = [{"condition": "Finished", "status": "Waiting", "lastTransitionTime": 1}]
    client = AsyncClient(
        KEY, ORG, "http://vi.test", transport=httpx.MockTransport(lambda _: httpx.Response(200, json=session))
    )
    with pytest.raises(ViTimeoutError) as caught:
        run(client.assets.wait_until_done("ds", "s1", timeout=0.5))
    assert caught.value.partial_result.status.progressCount.total == 1


def test_validation_happens_before_anything_is_sent() -> None:
    client = client_for(lambda _: pytest.fail("nothing may be sent"))
    with pytest.raises(ViValidationError):
        run(client.assets.list("ds", pagination={"page_size": 0}))
    with pytest.raises(ViValidationError):
        run(client.datasets.update("ds"))
    with pytest.raises(ViValidationError):
        run(client.assets.rename("ds", "new.jpg"))
    with pytest.raises(ViValidationError):
        run(client.assets.upload("bad id!", "x"))


def test_async_client_has_every_public_method_of_the_sync_client() -> None:
    from vi_ext import Client

    sync = Client(KEY, ORG, "http://vi.test")
    client = AsyncClient(KEY, ORG, "http://vi.test")
    for name in ("datasets", "assets"):
        public = {m for m in dir(getattr(sync, name)) if not m.startswith("_")}
        mine = {m for m in dir(getattr(client, name)) if not m.startswith("_")}
        missing = public - mine - {"selected", "download_assets"}  # internal helpers of the CLI
        assert not missing, f"{name}: {sorted(missing)}"


def test_the_shared_decisions_of_the_retry_poll_and_page_loops() -> None:
    from vi_ext.breaker import Breaker, BreakerRule
    from vi_ext.pagination import check_token
    from vi_ext.polling import next_poll, poll_delays
    from vi_ext.retry import Done, Fail, Retry, RetryPolicy, after_attempt

    policy = RetryPolicy(max_retries=2, base_delay=1, jitter=lambda high: high)
    assert after_attempt(Done(7), 1, policy) == Done(7)
    assert after_attempt(Retry("HTTP 503"), 2, policy) == 2.0
    assert after_attempt(Retry("HTTP 429", retry_after=3), 1, policy) == 3.0
    spent: object = after_attempt(Retry("HTTP 503"), 3, policy)
    assert isinstance(spent, Fail)
    assert spent.exhausted
    assert spent.message == "HTTP 503 (after 3 attempts)"
    breaker = Breaker(BreakerRule(min_failures=1, min_seconds=0))
    opened: object = after_attempt(Retry("reset", transport=True), 1, policy, breaker, "http://vi.test/x")
    assert isinstance(opened, Fail)
    assert opened.unreachable

    delays = poll_delays()
    assert next_poll("done", lambda s: s == "done", delays, None, None, "x") is None
    assert next_poll("busy", lambda s: s == "done", delays, None, None, "x") == 0.05
    with pytest.raises(ViTimeoutError) as caught:
        next_poll("busy", lambda s: False, delays, deadline=0.0, timeout=1.0, what="x", clock=lambda: 5.0)
    assert caught.value.partial_result == "busy"

    seen: set[str] = set()
    check_token("t1", seen)
    with pytest.raises(PaginationError):
        check_token("t1", seen)
