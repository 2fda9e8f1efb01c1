"""`from vi.api.types import PaginationParams`."""

from vi_ext.types import PaginationParams

__all__ = ["PaginationParams"]
