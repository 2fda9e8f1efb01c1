"""The one error hierarchy of vi_ext (also exported from ``vi``).

Every failure a user can meet is a `ViError` with ``.message``, ``.status_code`` and
``.error_code``; nothing from httpx, attrs or the generated client escapes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error_code = error_code or self.default_code
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status_code})" if self.status_code else self.message


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
        super().__init__(message, **kwargs)
        self.partial_result = partial_result


class ViConfigurationError(ViError):
    """Missing or invalid credentials/configuration on the client side."""

    default_code = "ConfigurationError"


class ViUploadError(ViError):
    """The upload as a whole could not proceed; ``.result`` holds what was done."""

    default_code = "UploadFailed"

    def __init__(self, message: str, *, result: AssetUploadResult | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.result = result


class ViFileTooLargeError(ViUploadError, ViValidationError):
    """A file is over ``max_file_size`` (raised before anything is sent under FailAfterOne)."""

    default_code = "FileTooLarge"


class ViDownloadError(ViError):
    """A download as a whole could not proceed."""

    default_code = "DownloadFailed"


def _message_from_body(body: bytes, status: int) -> tuple[str, str | None]:
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        message = data.get("message") or data.get("error")
        code = data.get("code")
        if isinstance(message, str) and message:
            return message, code if isinstance(code, str) else None
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("<") or not text:
        return f"HTTP {status} from the server (no JSON error body)", None
    return text[:300], None


def error_from_response(status: int, body: bytes, retry_after: float | None = None) -> ViError:
    """Map an HTTP error answer to the hierarchy; tolerant of HTML or empty bodies."""
    message, code = _message_from_body(body, status)
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
    return cls(message, status_code=status, error_code=code, retry_after=retry_after)
