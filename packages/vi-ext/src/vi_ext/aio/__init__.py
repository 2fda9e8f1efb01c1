"""The asyncio surface of vi-ext: `AsyncClient` (see the README, "Async client")."""

from vi_ext.aio.client import AsyncClient

__all__ = ["AsyncClient"]
