"""The async shell between vi_ext and the wire: the same request building, retries and errors as `vi_ext.api`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any, TypeVar

import httpx

from vi_ext.api import USER_AGENT, build_request, checked, decode, transport_error, user_facing
from vi_ext.config import Credentials
from vi_ext.errors import ViError
from vi_ext.redirects import MAX_REDIRECTS, refuse_unsafe_redirects
from vi_ext.retry import (
    ATTEMPTS,
    RETRYABLE_ERRORS,
    DeadUrl,
    Done,
    Fail,
    Outcome,
    Retry,
    RetryPolicy,
    after_attempt,
    may_resend,
    retry_after_of,
    retryable_status,
)

T = TypeVar("T")
AsyncSleep = Callable[[float], Awaitable[None]]


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """`vi_ext.retry.RetryTransport` for asyncio: each attempt's outcome is judged by the same functions."""

    def __init__(self, inner: httpx.AsyncBaseTransport, policy: RetryPolicy, sleep: AsyncSleep = asyncio.sleep) -> None:
        """Wrap ``inner``.

        Args:
            inner: the transport that sends each attempt.
            policy: the retry budget and backoff.
            sleep: waits between attempts (injectable for tests).
        """
        self.inner = inner
        self.policy = policy
        self.sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send with retries (see `RetryTransport.handle_request`).

        Args:
            request: the API request (its ``ATTEMPTS`` extension is set to the attempt number).

        Returns:
            The first answer not worth retrying, or the last answer when the budget is spent.

        Raises:
            httpx.TransportError: the last attempt's error, when it got no answer.
        """
        last: httpx.Response | Exception | None = None
        number = 0
        while True:
            number += 1
            if isinstance(last, httpx.Response):
                await last.aclose()  # a retried answer is dropped
            request.extensions[ATTEMPTS] = number
            outcome: Outcome[httpx.Response]
            try:
                response = await self.inner.handle_async_request(request)
                await response.aread()  # API answers are small: a body cut mid-way is retried here too
            except RETRYABLE_ERRORS as exc:
                if not may_resend(request, exc):
                    raise
                last, outcome = exc, Retry(f"{type(exc).__name__}: {exc}", transport=True)
            else:
                if not retryable_status(response.status_code) or not may_resend(request, response.status_code):
                    return response
                last, outcome = response, Retry(f"HTTP {response.status_code}", retry_after_of(response.headers))
            step: Done[httpx.Response] | DeadUrl | Fail | float = after_attempt(
                outcome, number, self.policy, url=request.url
            )
            if isinstance(step, float):
                await self.sleep(step)
                continue
            if isinstance(step, Done):  # pragma: no cover - a Retry never settles as Done
                return step.value
            if isinstance(last, httpx.Response):
                return last
            assert last is not None
            raise last

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()


async def _refuse_unsafe_redirects(response: httpx.Response) -> None:
    refuse_unsafe_redirects(response)


class AsyncApiClient:
    """`vi_ext.api.ApiClient` for asyncio: generated request builders, shared error mapping and decoding."""

    def __init__(
        self,
        credentials: Credentials,
        timeout: float,
        policy: RetryPolicy,
        transport: httpx.AsyncBaseTransport,
        sleep: AsyncSleep = asyncio.sleep,
    ) -> None:
        self.credentials = credentials
        self.http = httpx.AsyncClient(
            base_url=credentials.endpoint + "/",
            headers={
                "Authorization": f"Bearer {credentials.secret_key}",
                "Organization-Id": credentials.organization_id,
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, 30.0)),
            transport=AsyncRetryTransport(transport, policy, sleep),
            follow_redirects=True,  # same origin only, see `vi_ext.redirects`
            max_redirects=MAX_REDIRECTS,
            event_hooks={"response": [_refuse_unsafe_redirects]},
        )

    async def call(
        self,
        endpoint: ModuleType,
        parse: Callable[[dict[str, Any]], T] | None,
        *args: Any,
        resend_unseen_only: bool = False,
        **kwargs: Any,
    ) -> T:
        """Build with ``endpoint._get_kwargs``, send, map errors, decode (see `ApiClient.call`).

        Args:
            endpoint: a generated endpoint module.
            parse: decodes the JSON answer (``None``: no body expected).
            *args: positional arguments of ``endpoint._get_kwargs``.
            resend_unseen_only: retry only when the server provably never acted on the request.
            **kwargs: keyword arguments of ``endpoint._get_kwargs``.

        Returns:
            The decoded answer.

        Raises:
            ViError: the typed error of a failed call.
        """
        request = build_request(endpoint, args, kwargs, resend_unseen_only)
        try:
            try:
                response = await self.http.request(**request)
            except (httpx.TransportError, httpx.TooManyRedirects) as exc:
                error = transport_error(exc, request)
                if error is None:
                    raise
                raise error from exc
            checked(response)
        except ViError as exc:
            user_facing(exc, self.credentials.organization_id)
            raise
        return decode(response, request, parse)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()
