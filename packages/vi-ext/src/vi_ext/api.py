"""The thin shell between vi_ext and the wire: generated request builders, own transport and errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

import httpx

from vi_ext._version import __version__
from vi_ext.config import Credentials
from vi_ext.errors import (
    ConflictAfterRetry,
    ViConflictError,
    ViError,
    ViNetworkError,
    ViServerError,
    ViTimeoutError,
    error_from_response,
    trace_id,
)
from vi_ext.redirects import MAX_REDIRECTS, refuse_unsafe_redirects
from vi_ext.retry import ATTEMPTS, RESEND, UNSEEN_ONLY, RetryPolicy, RetryTransport, retry_after_of
from vi_ext.wire import TRACE_CONTEXT

T = TypeVar("T")
USER_AGENT = f"vi-ext/{__version__} (+httpx/{httpx.__version__})"


class ApiClient:
    """Sends requests built by the generated endpoint modules; decodes with generated models."""

    def __init__(
        self,
        credentials: Credentials,
        timeout: float,
        policy: RetryPolicy,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = credentials
        inner = transport or httpx.HTTPTransport(limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))
        self.http = httpx.Client(
            base_url=credentials.endpoint + "/",
            headers={
                "Authorization": f"Bearer {credentials.secret_key}",
                "Organization-Id": credentials.organization_id,
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, 30.0)),
            transport=RetryTransport(inner, policy, sleep),
            follow_redirects=True,  # same origin only, see `vi_ext.redirects`
            max_redirects=MAX_REDIRECTS,
            event_hooks={"response": [refuse_unsafe_redirects]},
        )

    def call(
        self,
        endpoint: ModuleType,
        parse: Callable[[dict[str, Any]], T] | None,
        *args: Any,
        resend_unseen_only: bool = False,
        **kwargs: Any,
    ) -> T:
        """Build the request with ``endpoint._get_kwargs``, send it, map errors, decode the answer.

        Args:
            endpoint: a generated endpoint module.
            parse: decodes the JSON answer (``None``: no body expected).
            *args: positional arguments of ``endpoint._get_kwargs``.
            resend_unseen_only: the request must not run twice (the server cannot recognise a
                repeat): retry it only when the server provably never acted on it.
            **kwargs: keyword arguments of ``endpoint._get_kwargs``.

        Returns:
            The decoded answer.

        Raises:
            ViError: the typed error of a failed call (`ConflictAfterRetry` for a 409 that answered
                a re-sent request).
        """
        request = build_request(endpoint, args, kwargs, resend_unseen_only)
        try:
            response = send(self.http, request)
        except ViError as exc:
            user_facing(exc, self.credentials.organization_id)
            raise
        return decode(response, request, parse)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()


def build_request(
    endpoint: ModuleType, args: tuple[Any, ...], kwargs: dict[str, Any], resend_unseen_only: bool
) -> dict[str, Any]:
    """The keyword arguments of ``httpx.Client.request`` for a generated endpoint (sync and async)."""
    request: dict[str, Any] = endpoint._get_kwargs(*args, **kwargs)
    request["url"] = request["url"].lstrip("/")  # keep any path prefix of the endpoint
    if resend_unseen_only:
        request["extensions"] = {RESEND: UNSEEN_ONLY}
    return request


def user_facing(exc: ViError, organization_id: str) -> ViError:
    """Speak of the dataset id the user gave, not the wire's ``{org}_{ds}`` (returns ``exc``, changed)."""
    exc.message = exc.message.replace(f"{organization_id}_", "")
    exc.args = (exc.message,)
    return exc


def decode(response: httpx.Response, request: dict[str, Any], parse: Callable[[dict[str, Any]], T] | None) -> T:
    """Decode a successful answer with ``parse``; a malformed answer is a `ViServerError`, never a traceback."""
    if parse is None:
        return None  # type: ignore[return-value]
    try:
        return parse(response.json())
    except ViError:
        raise
    except Exception as exc:  # malformed answer: never a traceback from deep inside
        snippet = response.text[:200]
        raise ViServerError(
            f"unexpected answer from {request['method'].upper()} {request['url']}: {exc!r} ({snippet!r})",
            status_code=response.status_code,
            request_id=trace_id(response.headers.get(TRACE_CONTEXT)),
        ) from exc


def transport_error(exc: httpx.HTTPError, request: dict[str, Any]) -> ViError | None:
    """The vi_ext error for an httpx error that got no usable answer (``None``: not one of those)."""
    if isinstance(exc, httpx.TimeoutException):
        return ViTimeoutError(f"request timed out: {request['method'].upper()} {request['url']}")
    if isinstance(exc, httpx.TransportError):
        return ViNetworkError(f"cannot reach the server: {exc}")
    if isinstance(exc, httpx.TooManyRedirects):
        return ViServerError(
            f"more than {MAX_REDIRECTS} redirects for {request['method'].upper()} {request['url']}",
            error_code="RedirectRefused",
        )
    return None


def checked(response: httpx.Response) -> httpx.Response:
    """``response`` if it succeeded; otherwise its typed error (`ConflictAfterRetry` for a 409 to a re-sent request).

    Raises:
        ViError: the answer's status is 400 or more.
    """
    if response.status_code >= 400:
        error = error_from_response(
            response.status_code,
            response.content,
            retry_after_of(response.headers),
            trace_id(response.headers.get(TRACE_CONTEXT)),
        )
        if isinstance(error, ViConflictError) and response.request.extensions.get(ATTEMPTS, 1) > 1:
            error = ConflictAfterRetry(
                error.message, status_code=error.status_code, error_code=error.error_code, request_id=error.request_id
            )
        raise error
    return response


def send(http: httpx.Client, request: dict[str, Any]) -> httpx.Response:
    """One request (the transport retries); errors become vi_ext errors."""
    try:
        response = http.request(**request)
    except (httpx.TransportError, httpx.TooManyRedirects) as exc:
        error = transport_error(exc, request)
        if error is None:
            raise
        raise error from exc
    return checked(response)
