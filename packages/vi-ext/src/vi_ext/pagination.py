"""Pages that iterate: ``for page in response`` yields this page first, then fetches the rest lazily."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from vi_ext.errors import ViError

T = TypeVar("T")


class PaginationError(ViError):
    """The server repeated a page token (it would loop forever)."""

    default_code = "PaginationError"


class PaginatedResponse(Generic[T]):
    """One page of a listing (``.items``, ``.next_page``), iterable over all pages from here on."""

    def __init__(self, items: list[T], next_page: str | None, fetch: Callable[[str], PaginatedResponse[T]]) -> None:
        self.items = items
        self.next_page = next_page
        self._fetch = fetch

    def __iter__(self) -> Iterator[PaginatedResponse[T]]:
        """This page (no re-fetch), then every following page; memory stays flat."""
        seen: set[str] = set()
        page: PaginatedResponse[T] = self
        while True:
            yield page
            token = page.next_page
            if not token:
                return
            if token in seen:
                raise PaginationError(f"the server repeated page token {token[:40]!r}; stopping instead of looping")
            seen.add(token)
            page = self._fetch(token)

    def all_items(self, prefetch: bool = True) -> Iterator[T]:
        """Every item of this and the following pages, fetched lazily.

        With ``prefetch`` the next page is requested while this one is consumed (at most two
        pages are held, so memory stays flat in the number of items).
        """
        if not prefetch:
            for page in self:
                yield from page.items
            return
        pages = iter(self)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="vi-prefetch") as pool:
            pending: Future[PaginatedResponse[T] | None] = pool.submit(next, pages, None)
            while (current := pending.result()) is not None:
                pending = pool.submit(next, pages, None)
                yield from current.items

    def __repr__(self) -> str:
        return f"PaginatedResponse(items={len(self.items)}, next_page={self.next_page!r})"
