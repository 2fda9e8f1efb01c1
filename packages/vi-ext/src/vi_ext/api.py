"""The thin shell between vi_ext and the wire: generated request builders, own transport and errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

import httpx

from vi_ext._version import __version__
from vi_ext.config import Credentials
from vi_ext.errors import ViError, ViNetworkError, ViServerError, ViTimeoutError, error_from_response
from vi_ext.retry import RetryPolicy, RetryTransport, parse_retry_after

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
            follow_redirects=True,
        )

    def call(self, endpoint: ModuleType, parse: Callable[[dict[str, Any]], T] | None, *args: Any, **kwargs: Any) -> T:
        """Build the request with ``endpoint._get_kwargs``, send it, map errors, decode the answer."""
        request = endpoint._get_kwargs(*args, **kwargs)
        request["url"] = request["url"].lstrip("/")  # keep any path prefix of the endpoint
        response = send(self.http, request)
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
            ) from exc

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()


def send(http: httpx.Client, request: dict[str, Any]) -> httpx.Response:
    """One request (the transport retries); errors become vi_ext errors."""
    try:
        response = http.request(**request)
    except httpx.TimeoutException as exc:
        raise ViTimeoutError(f"request timed out: {request['method'].upper()} {request['url']}") from exc
    except httpx.TransportError as exc:
        raise ViNetworkError(f"cannot reach the server: {exc}") from exc
    if response.status_code >= 400:
        raise error_from_response(
            response.status_code, response.content, parse_retry_after(response.headers.get("retry-after"))
        )
    return response
