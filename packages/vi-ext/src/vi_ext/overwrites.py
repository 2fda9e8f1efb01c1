"""Which asset filenames of an upload already exist in the dataset (so their upload replaces them).

Ingestion does not say whether a file replaced an asset, so the client asks before sending, in
the cheapest way the dataset's size allows (`plan`): nothing for an empty dataset (one GET of the
dataset, the usual first upload); a full listing when the dataset is small next to the upload; else
exact-name queries (``filter={"filename": [...]}`` with ``strictQuery``), a few dozen names each.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from typing import Any

from vi_ext import convert
from vi_ext._generated.api.assets import list_assets
from vi_ext._generated.api.datasets import get_dataset
from vi_ext._generated.models import YesNo
from vi_ext._generated.types import UNSET
from vi_ext.api import ApiClient

PAGE = 1000
NAMES_PER_QUERY = 50
QUERY_CHARS = 3000  # keeps each query URL well under common 8 KiB limits


def plan(asset_total: int | None, names: int) -> str:
    """``"none"`` (empty dataset), ``"list"`` (page through every asset) or ``"query"`` (by name).

    Args:
        asset_total: assets in the dataset (``None`` when the server did not say).
        names: filenames the upload will send.
    """
    if asset_total == 0 or names == 0:
        return "none"
    if asset_total is not None and -(-asset_total // PAGE) <= -(-names // NAMES_PER_QUERY):
        return "list"
    return "query"


def name_chunks(names: Collection[str]) -> Iterator[list[str]]:
    """Sorted names in groups of at most `NAMES_PER_QUERY` whose JSON stays under `QUERY_CHARS`."""
    chunk: list[str] = []
    size = 0
    for name in sorted(names):
        cost = len(json.dumps(name)) + 2
        if chunk and (len(chunk) >= NAMES_PER_QUERY or size + cost > QUERY_CHARS):
            yield chunk
            chunk, size = [], 0
        chunk.append(name)
        size += cost
    if chunk:
        yield chunk


def existing_names(api: ApiClient, dataset: str, names: Collection[str]) -> set[str]:
    """The members of ``names`` that already name an asset of ``dataset`` (composite id).

    Raises:
        ViError: the dataset cannot be read (e.g. `ViNotFoundError`).
    """
    org = api.credentials.organization_id
    wanted = set(names)
    info: dict[str, Any] = api.call(get_dataset, lambda d: d, org, dataset)
    total = (info.get("statistic") or {}).get("assetTotal")
    how = plan(total if isinstance(total, int) else None, len(wanted))
    if how == "none":
        return set()
    found: set[str] = set()
    if how == "list":
        for name in _listed(api, org, dataset, {}):
            if name in wanted:
                found.add(name)
        return found
    for chunk in name_chunks(wanted):
        query = {"filter_": json.dumps({"filename": chunk}), "strict_query": YesNo.YES}
        found.update(name for name in _listed(api, org, dataset, query) if name in wanted)
    return found


def _listed(api: ApiClient, org: str, dataset: str, query: dict[str, Any]) -> Iterator[str]:
    token: str | None = None
    while True:
        page: dict[str, Any] = api.call(list_assets, lambda d: d, org, dataset, p=token or UNSET, s=PAGE, **query)
        for item in convert.page_items(page):
            if isinstance(item, dict) and isinstance(item.get("filename"), str):
                yield item["filename"]
        token = convert.next_page(page)
        if not token:
            return
