"""The `vi` facade: the import paths of the public Vi docs, backed by vi_ext.

It conflicts with the official vi-sdk distribution by design (both are `vi`): importing it while
vi-sdk is installed warns (`vi._conflict`).
"""

from vi._conflict import warn_if_official_sdk_installed
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

warn_if_official_sdk_installed()
