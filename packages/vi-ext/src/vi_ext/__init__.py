"""vi-ext: a fast, safe and honest Python SDK for the Datature Vi asset API."""

from vi_ext._version import __version__
from vi_ext.aio import AsyncClient
from vi_ext.client import Client
from vi_ext.codes import FailureCode
from vi_ext.enums import (
    AssetIngestionError,
    FailureMode,
    ResourceRetentionMode,
    SortCriterion,
    SortOrder,
)
from vi_ext.errors import (
    PaginationError,
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
)
from vi_ext.pagination import AsyncPaginatedResponse, PaginatedResponse
from vi_ext.progress import ProgressEvent
from vi_ext.results import AssetDownloadResult, AssetUploadResult, FileFailure
from vi_ext.types import AssetCustomMetadata, AssetSortCriterion, PaginationParams

__all__ = [
    "AssetCustomMetadata",
    "AssetDownloadResult",
    "AssetIngestionError",
    "AssetSortCriterion",
    "AssetUploadResult",
    "AsyncClient",
    "AsyncPaginatedResponse",
    "Client",
    "FailureCode",
    "FailureMode",
    "FileFailure",
    "PaginatedResponse",
    "PaginationError",
    "PaginationParams",
    "ProgressEvent",
    "ResourceRetentionMode",
    "SortCriterion",
    "SortOrder",
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
