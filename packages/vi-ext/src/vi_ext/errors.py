"""The one error hierarchy of vi_ext (also exported from ``vi``).

Every failure a user can meet is a `ViError` with ``.message``, ``.status_code`` and
``.error_code`` (and ``.request_id``, the server's trace id, when it sent one); nothing from
httpx, attrs or the generated client escapes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from vi_ext.codes import FailureCode

if TYPE_CHECKING:
    from vi_ext.results import AssetUploadResult


class ViError(Exception):
    """Root of every vi_ext error."""

    default_code = "UnknownError"

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_code: str | None = None,
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        """An error with its message and what the server said.

        Args:
            message: what went wrong, for a person.
            status_code: the HTTP status, if an answer came.
            error_code: the server's (or the client's) error code (default: the class's).
            retry_after: seconds from ``Retry-After``, if sent.
            request_id: the server's trace id, if sent.
        """
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error_code = error_code or self.default_code
        self.retry_after = retry_after
        self.request_id = request_id

    def __str__(self) -> str:
        where = [f"HTTP {self.status_code}"] if self.status_code else []
        if self.request_id:
            where.append(f"request {self.request_id}")
        return f"{self.message} ({', '.join(where)})" if where else self.message


class ViAuthenticationError(ViError):
    """401: missing or invalid credentials."""

    default_code = "AuthenticationFailed"


class ViPermissionError(ViAuthenticationError):
    """403: the credentials do not give access."""

    default_code = "PermissionDenied"


class ViNotFoundError(ViError):
    """404: no such resource."""

    default_code = "ResourceNotFound"


class ViConflictError(ViError):
    """409: exists already, or in a state that does not allow this."""

    default_code = "ResourceConflict"


class ViValidationError(ViError):
    """400/413/422, or input refused before anything is sent."""

    default_code = "ValidationFailed"


class ViRateLimitError(ViError):
    """429, after the retry budget ran out."""

    default_code = "RateLimitExceeded"


class ViServerError(ViError):
    """5xx, or an answer the client cannot understand."""

    default_code = "ServerError"


class ViNetworkError(ViError):
    """The server could not be reached, after retries."""

    default_code = "NetworkError"


class ViTimeoutError(ViError):
    """A request timed out, or a wait missed its deadline (``.partial_result`` holds what was known)."""

    default_code = "TimeoutError"

    def __init__(self, message: str, *, partial_result: Any = None, **kwargs: Any) -> None:
        """A timeout.

        Args:
            message: what timed out.
            partial_result: what was known when the deadline passed (e.g. an `AssetUploadResult`).
            **kwargs: as for `ViError`.
        """
        super().__init__(message, **kwargs)
        self.partial_result = partial_result


class ViConfigurationError(ViError):
    """Missing or invalid credentials/configuration on the client side."""

    default_code = "ConfigurationError"


class ViUploadError(ViError):
    """The upload as a whole could not proceed; ``.result`` holds what was done."""

    default_code = "UploadFailed"

    def __init__(self, message: str, *, result: AssetUploadResult | None = None, **kwargs: Any) -> None:
        """An upload that could not go on.

        Args:
            message: why.
            result: what was done before it stopped.
            **kwargs: as for `ViError`.
        """
        super().__init__(message, **kwargs)
        self.result = result


class ViFileTooLargeError(ViUploadError, ViValidationError):
    """A file is over ``max_file_size`` (raised before anything is sent under FailAfterOne)."""

    default_code = "FileTooLarge"


class ViUploadInterruptedError(ViNetworkError, ViUploadError):
    """The endpoint stopped answering mid-upload; ``.result`` (also ``.partial_result``) holds what was done.

    Catch it as `ViNetworkError` (or `ViUploadError`). The message names the endpoint and how to resume.
    """

    default_code = "NetworkError"

    @property
    def partial_result(self) -> AssetUploadResult | None:
        """The same as ``.result``."""
        return self.result


class ViDownloadError(ViError):
    """A download as a whole could not proceed."""

    default_code = "DownloadFailed"


class ConflictAfterRetry(ViConflictError):
    """A 409 answering a re-sent request: the first attempt may have done the work itself."""


class PaginationError(ViError):
    """The server repeated a page token (it would loop forever)."""

    default_code = "PaginationError"


class ManifestError(ViValidationError):
    """A manifest line is not valid; the message names the file and the line."""


class UnsafePathError(Exception):
    """A download target that would be reached through a link or a non-directory (a per-file failure)."""

    code = FailureCode.UNSAFE_PATH


class ShardCrashed(Exception):
    """A shard's process died (and its retries too)."""


# What the official client reports for gateway statuses whose body names no code.
_GATEWAY_CODES = {502: "NetworkError", 503: "ServiceUnavailable", 504: "TimeoutError"}


def trace_id(header: str | None) -> str | None:
    """The trace id of an ``x-cloud-trace-context`` header (``TRACE_ID/SPAN_ID;o=1``).

    Args:
        header: the header's value, if sent.

    Returns:
        The trace id, or ``None``.
    """
    if not header:
        return None
    value = header.split("/", 1)[0].split(";", 1)[0].strip()
    return value or None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _message_from_body(body: bytes, status: int) -> tuple[str, str | None]:
    """``(message, code)`` from ``{"message"}``, ``{"error": "..."}`` or ``{"error": {"message", "code"}}``."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        nested: dict[str, Any] = error if isinstance(error, dict) else {}
        message = _text(data.get("message")) or _text(data.get("error")) or _text(nested.get("message"))
        code = _text(data.get("code")) or _text(nested.get("code")) or _text(nested.get("status"))
        if message:
            return message, code
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("<") or not text:
        return f"HTTP {status} from the server (no JSON error body)", None
    return text[:300], None


def error_from_response(
    status: int, body: bytes, retry_after: float | None = None, request_id: str | None = None
) -> ViError:
    """Map an HTTP error answer to the hierarchy; tolerant of HTML or empty bodies.

    Args:
        status: The HTTP status (4xx or 5xx).
        body: The raw body: JSON with ``message`` (or ``error``), HTML, text or nothing.
        retry_after: Seconds from ``Retry-After``, if sent.
        request_id: The server's trace id (see `trace_id`), if sent.

    Returns:
        The matching `ViError` subclass, carrying status, code, ``retry_after`` and ``request_id``.
    """
    message, code = _message_from_body(body, status)
    code = code or _GATEWAY_CODES.get(status)
    cls: type[ViError]
    if status == 401:
        cls = ViAuthenticationError
    elif status == 403:
        cls = ViPermissionError
    elif status == 404:
        cls = ViNotFoundError
    elif status == 408:
        cls = ViTimeoutError
    elif status == 409:
        cls = ViConflictError
    elif status == 429:
        cls = ViRateLimitError
    elif status >= 500:
        cls = ViServerError
    elif status >= 400:
        cls = ViValidationError
    else:
        cls = ViError
    return cls(message, status_code=status, error_code=code, retry_after=retry_after, request_id=request_id)
