"""A listing page whose items are decoded on first use (`all_items` decodes while prefetching)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from vi_ext.pagination import PaginatedResponse

T = TypeVar("T")


class DeferredPage(PaginatedResponse[T]):
    """A `PaginatedResponse` built with a function that decodes its items when they are first read.

    `PaginatedResponse.all_items` reads a page's items in the consuming thread after handing the
    next fetch to its prefetch thread, so this page is decoded while the next one is on the wire.
    """

    def __init__(
        self, decode: Callable[[], list[T]], next_page: str | None, fetch: Callable[[str], PaginatedResponse[T]]
    ) -> None:
        """A page whose items come from ``decode``.

        Args:
            decode: gives this page's items (called once, on first use of `items`).
            next_page: the token of the next page (``None`` on the last page).
            fetch: gets the page of a token.
        """
        self._decode: Callable[[], list[T]] | None = decode
        super().__init__([], next_page, fetch)

    @property
    def items(self) -> list[T]:
        """This page's items (decoded now on first use)."""
        if self._decode is not None:
            self._items, self._decode = self._decode(), None
        return self._items

    @items.setter
    def items(self, value: list[T]) -> None:
        self._items = value
