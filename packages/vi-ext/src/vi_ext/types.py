"""Request-side types of the public API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vi_ext.enums import SortCriterion, SortOrder
from vi_ext.errors import ViValidationError

AssetCustomMetadata = dict[str, str | int | float | bool]


@dataclass(frozen=True)
class PaginationParams:
    """Page size (1–1000, default 10) and an optional page token to start from."""

    page_token: str | None = None
    page_size: int = 10

    def __post_init__(self) -> None:
        if isinstance(self.page_size, bool) or not isinstance(self.page_size, int) or not 1 <= self.page_size <= 1000:
            raise ViValidationError(f"page_size must be an integer from 1 to 1000, got {self.page_size!r}")

    @classmethod
    def coerce(cls, value: PaginationParams | dict[str, Any] | None) -> PaginationParams:
        """Accept the dataclass, a dict with its field names, or ``None``.

        Args:
            value: what the caller gave.

        Returns:
            The parameters (defaults for ``None``).

        Raises:
            ViValidationError: unknown keys, a bad page size, or another type.
        """
        if value is None:
            return cls()
        if isinstance(value, PaginationParams):
            return value
        if isinstance(value, dict):
            unknown = set(value) - {"page_token", "page_size"}
            if unknown:
                raise ViValidationError(f"unknown pagination keys: {', '.join(sorted(unknown))}")
            return cls(**value)
        raise ViValidationError(f"pagination must be PaginationParams or a dict, not {type(value).__name__}")


@dataclass(frozen=True)
class AssetSortCriterion:
    """Sort field and direction."""

    criterion: SortCriterion
    order: SortOrder = SortOrder.ASC

    @classmethod
    def coerce(
        cls, value: AssetSortCriterion | SortCriterion | str | dict[str, Any] | None
    ) -> AssetSortCriterion | None:
        """Accept the dataclass, a criterion (member or string), or ``{"criterion", "order"}``.

        Args:
            value: what the caller gave.

        Returns:
            The sort criterion, or ``None`` for no sorting.

        Raises:
            ViValidationError: an unknown criterion or order.
        """
        if value is None or isinstance(value, AssetSortCriterion):
            return value
        try:
            if isinstance(value, dict):
                return cls(SortCriterion(value["criterion"]), SortOrder(value.get("order", SortOrder.ASC)))
            return cls(SortCriterion(value))
        except (KeyError, ValueError) as exc:
            raise ViValidationError(f"invalid sort_by {value!r}: {exc}") from exc
