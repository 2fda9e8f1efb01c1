"""`from vi.api.pagination import PaginatedResponse, PaginationError`."""

from vi_ext.pagination import PaginatedResponse, PaginationError

__all__ = ["PaginatedResponse", "PaginationError"]
