"""The `vi` facade: the import paths of the public Vi docs, backed by vi_ext."""

from vi_ext import (
    Client,
    ViAuthenticationError,
    ViConfigurationError,
    ViConflictError,
    ViDownloadError,
    ViError,
    ViFileTooLargeError,
    ViNetworkError,
    ViNotFoundError,
    ViPermissionError,
    ViRateLimitError,
    ViServerError,
    ViTimeoutError,
    ViUploadError,
    ViValidationError,
    __version__,
)

__all__ = [
    "Client",
    "ViAuthenticationError",
    "ViConfigurationError",
    "ViConflictError",
    "ViDownloadError",
    "ViError",
    "ViFileTooLargeError",
    "ViNetworkError",
    "ViNotFoundError",
    "ViPermissionError",
    "ViRateLimitError",
    "ViServerError",
    "ViTimeoutError",
    "ViUploadError",
    "ViValidationError",
    "__version__",
]
