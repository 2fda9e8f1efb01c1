"""`from vi.api.resources.datasets.assets.types import …` (request-side types)."""

from vi_ext.enums import SortCriterion, SortOrder
from vi_ext.types import AssetCustomMetadata, AssetSortCriterion, PaginationParams

__all__ = ["AssetCustomMetadata", "AssetSortCriterion", "PaginationParams", "SortCriterion", "SortOrder"]
