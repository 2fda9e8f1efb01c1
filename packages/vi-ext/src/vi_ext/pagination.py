"""Pages that iterate: ``for page in response`` yields this page first, then fetches the rest lazily."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from vi_ext.errors import PaginationError

__all__ = ["AsyncPaginatedResponse", "PaginatedResponse", "PaginationError"]

T = TypeVar("T")


def check_token(token: str, seen: set[str]) -> None:
    """Remember ``token``; a token seen before means the server would loop (sync and async pages).

    Raises:
        PaginationError: the server repeated a page token.
    """
    if token in seen:
        raise PaginationError(f"the server repeated page token {token[:40]!r}; stopping instead of looping")
    seen.add(token)


class PaginatedResponse(Generic[T]):
    """One page of a listing (``.items``, ``.next_page``), iterable over all pages from here on."""

    def __init__(self, items: list[T], next_page: str | None, fetch: Callable[[str], PaginatedResponse[T]]) -> None:
        """A page as the server sent it.

        Args:
            items: this page's items.
            next_page: the token of the next page (``None`` on the last page).
            fetch: gets the page of a token.
        """
        self.items = items
        self.next_page = next_page
        self._fetch = fetch

    def __iter__(self) -> Iterator[PaginatedResponse[T]]:
        """This page (no re-fetch), then every following page; memory stays flat.

        Yields:
            Each page in turn.

        Raises:
            PaginationError: the server repeated a page token (it would loop forever).
        """
        seen: set[str] = set()
        page: PaginatedResponse[T] = self
        while True:
            yield page
            token = page.next_page
            if not token:
                return
            check_token(token, seen)
            page = self._fetch(token)

    def all_items(self, prefetch: bool = True) -> Iterator[T]:
        """Every item of this and the following pages, fetched lazily.

        Args:
            prefetch: request the next page while this one is consumed (at most two pages are
                held, so memory stays flat in the number of items).

        Yields:
            Every item in order.

        Raises:
            PaginationError: the server repeated a page token.
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


class AsyncPaginatedResponse(Generic[T]):
    """One page of a listing of the `vi_ext.AsyncClient`: ``async for page in page`` walks every page from here on."""

    def __init__(
        self, items: list[T], next_page: str | None, fetch: Callable[[str], Awaitable[AsyncPaginatedResponse[T]]]
    ) -> None:
        """A page as the server sent it.

        Args:
            items: this page's items.
            next_page: the token of the next page (``None`` on the last page).
            fetch: gets the page of a token (a coroutine).
        """
        self.items = items
        self.next_page = next_page
        self._fetch = fetch

    async def __aiter__(self) -> AsyncIterator[AsyncPaginatedResponse[T]]:
        """This page (no re-fetch), then every following page; memory stays flat.

        Yields:
            Each page in turn.

        Raises:
            PaginationError: the server repeated a page token.
        """
        seen: set[str] = set()
        page: AsyncPaginatedResponse[T] = self
        while True:
            yield page
            token = page.next_page
            if not token:
                return
            check_token(token, seen)
            page = await self._fetch(token)

    async def all_items(self, prefetch: bool = True) -> AsyncIterator[T]:
        """Every item of this and the following pages, fetched lazily (``async for item in page.all_items()``).

        Args:
            prefetch: request the next page while this one is consumed (at most two pages are held).

        Yields:
            Every item in order.

        Raises:
            PaginationError: the server repeated a page token.
        """
        pages = aiter(self)
        if not prefetch:
            async for page in pages:
                for item in page.items:
                    yield item
            return
        pending = asyncio.ensure_future(anext(pages, None))
        try:
            while (current := await pending) is not None:
                pending = asyncio.ensure_future(anext(pages, None))
                for item in current.items:
                    yield item
        finally:
            if not pending.done():
                pending.cancel()
                await asyncio.wait([pending])  # the page being fetched ends before the walk is closed
            await pages.aclose()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"AsyncPaginatedResponse(items={len(self.items)}, next_page={self.next_page!r})"
