"""``AsyncClient.datasets`` and ``AsyncClient.assets``: the methods of `vi_ext.resources`, awaited.

Request bodies, checks and decoding are the sync resources' own helpers and the generated models;
paging, polling and retries use the shared decisions (`vi_ext.pagination`, `vi_ext.polling`,
`vi_ext.retry`). Upload and download run the sync engine in a worker thread (`vi_ext.aio.bulk`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from vi_ext import convert
from vi_ext import models as m
from vi_ext._generated import models as g
from vi_ext._generated.api.assets import count_assets, delete_asset, get_asset, list_assets, rename_asset
from vi_ext._generated.api.bulk_delete import create_delete_many_assets_session, get_delete_many_assets_session
from vi_ext._generated.api.datasets import (
    create_dataset,
    delete_dataset,
    get_dataset,
    get_dataset_delete_operation,
    list_datasets,
    update_dataset,
)
from vi_ext._generated.api.ingestion import (
    cancel_asset_ingestion_session,
    get_asset_ingestion_session,
    list_asset_ingestion_sessions,
)
from vi_ext._generated.types import UNSET
from vi_ext.client import Client
from vi_ext.errors import ConflictAfterRetry, ViNotFoundError, ViValidationError
from vi_ext.pagination import AsyncPaginatedResponse
from vi_ext.polling import next_poll, poll_delays
from vi_ext.resources import _check_id, _filter_text, asset_list_query, parse_count, update_body
from vi_ext.results import AssetDownloadResult, AssetUploadResult
from vi_ext.types import AssetSortCriterion, PaginationParams
from vi_ext.wire import SOURCE, composite_dataset_id

if TYPE_CHECKING:
    from vi_ext.aio.client import AsyncClient

T = TypeVar("T")


async def wait_for(
    fetch: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    timeout: float | None,
    what: str,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """`vi_ext.polling.wait_for`, awaited: the same delays and deadline (`next_poll`)."""
    deadline = None if timeout is None else clock() + timeout
    delays = poll_delays()
    while True:
        state = await fetch()
        delay = next_poll(state, done, delays, deadline, timeout, what, clock)
        if delay is None:
            return state
        await sleep(delay)


class _Resource:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._api = client._api
        self._org = client.organization_id

    def _dataset_path(self, dataset_id: str) -> str:
        _check_id(dataset_id, "dataset_id")
        return composite_dataset_id(self._org, dataset_id)


class AsyncDatasetsResource(_Resource):
    """Datasets of the organization (see `vi_ext.resources.DatasetsResource` for each method's contract)."""

    def _dataset(self, d: dict[str, Any]) -> m.Dataset:
        return convert.dataset(g.Dataset.from_dict(d), self._org)

    async def create(self, name: str, *, dataset_id: str | None = None, description: str = "") -> m.Dataset:
        """Create a dataset; see `DatasetsResource.create`.

        Args:
            name: display name.
            dataset_id: the short id to give the dataset.
            description: free text.

        Returns:
            The created dataset.

        Raises:
            ViConflictError: the id is taken (by a dataset this call did not create).
        """
        body: dict[str, Any] = {"name": name, "description": description, "owner": self._org}
        if dataset_id is not None:
            body["datasetId"] = _check_id(dataset_id, "dataset_id")
        try:
            return await self._api.call(
                create_dataset, self._dataset, self._org, body=g.DatasetCreate.from_dict(body),
                resend_unseen_only=dataset_id is None,
            )  # fmt: skip
        except ConflictAfterRetry:
            if dataset_id is None:
                raise
            existing = await self.get(dataset_id)
            if existing.name != name:
                raise
            return existing

    async def get(self, dataset_id: str) -> m.Dataset:
        """One dataset.

        Args:
            dataset_id: the dataset (short or composite id).

        Returns:
            The dataset.

        Raises:
            ViNotFoundError: no such dataset.
        """
        return await self._api.call(get_dataset, self._dataset, self._org, self._dataset_path(dataset_id))

    async def list(
        self, pagination: PaginationParams | dict[str, Any] | None = None
    ) -> AsyncPaginatedResponse[m.Dataset]:
        """A page of datasets; ``async for page in page`` or ``page.all_items()`` for the rest.

        Args:
            pagination: page size and start token.

        Returns:
            The first page.

        Raises:
            ViValidationError: invalid pagination.
        """
        params = PaginationParams.coerce(pagination)

        async def fetch(token: str | None) -> AsyncPaginatedResponse[m.Dataset]:
            return await self._api.call(
                list_datasets,
                lambda d: AsyncPaginatedResponse(
                    [self._dataset(i) for i in convert.page_items(d)], convert.next_page(d), fetch
                ),
                self._org, p=token or UNSET, s=params.page_size,
            )  # fmt: skip

        return await fetch(params.page_token)

    async def update(
        self,
        dataset_id: str,
        spec: dict[str, Any] | None = None,
        metadata: dict[str, str] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        preference: dict[str, bool | str] | None = None,
    ) -> m.Dataset:
        """Change a dataset's name, description or preferences; see `DatasetsResource.update`.

        Args:
            dataset_id: The dataset.
            spec: The fields to change as a dict.
            metadata: Attributes merged into the dataset's.
            name: New display name.
            description: New description.
            preference: Display preferences.

        Returns:
            The updated dataset.

        Raises:
            ViValidationError: Nothing to change, an unknown field or an empty name.
            ViNotFoundError: No such dataset.
        """
        body = update_body(spec, metadata, name=name, description=description, preference=preference)
        return await self._api.call(
            update_dataset, self._dataset, self._org, self._dataset_path(dataset_id),
            body=g.DatasetUpdate.from_dict(body),
        )  # fmt: skip

    async def delete(
        self, dataset_id: str, wait_until_done: bool = True, timeout: float | None = 600.0
    ) -> m.DatasetDeletion:
        """Delete a dataset with all its assets (permanent), waiting for the deletion to finish.

        Args:
            dataset_id: The dataset.
            wait_until_done: Poll the deletion operation until it ends.
            timeout: Seconds to wait at most (``None``: no limit).

        Returns:
            The deletion operation.

        Raises:
            ViNotFoundError: No such dataset.
            ViTimeoutError: The deletion did not finish in time.
        """
        created = await self._api.call(delete_dataset, self._deletion, self._org, self._dataset_path(dataset_id))
        if not wait_until_done or created.is_finished:
            return created
        return await wait_for(
            lambda: self.get_deletion_operation(dataset_id),
            lambda op: op.is_finished or op.has_failed,
            timeout,
            f"deletion of dataset {dataset_id}",
            self._client._sleep,
        )

    async def get_deletion_operation(self, dataset_id: str) -> m.DatasetDeletion:
        """The deletion operation of a deleted (or being deleted) dataset.

        Args:
            dataset_id: The dataset.

        Returns:
            The deletion operation.

        Raises:
            ViNotFoundError: The dataset was never deleted.
        """
        return await self._api.call(
            get_dataset_delete_operation, self._deletion, self._org, self._dataset_path(dataset_id)
        )

    def _deletion(self, d: dict[str, Any]) -> m.DatasetDeletion:
        return convert.dataset_deletion(g.DatasetDeleteOperation.from_dict(d), self._org)

    async def bulk_delete_assets(
        self,
        dataset_id: str,
        filter_criteria: str | dict[str, Any] | None = None,
        metadata_query: str | None = None,
        rule_query: str | None = None,
        strict_query: bool | None = None,
        wait_until_done: bool = True,
        timeout: float | None = 600.0,
    ) -> m.BulkDeleteSession:
        """Delete every asset the filters select; see `DatasetsResource.bulk_delete_assets`.

        Args:
            dataset_id: the dataset.
            filter_criteria: a filter (JSON string or dict).
            metadata_query: a metadata query.
            rule_query: a rule query.
            strict_query: whether the server checks the queries strictly.
            wait_until_done: poll the deletion until it ends.
            timeout: seconds to wait (``None``: no limit).

        Returns:
            The bulk-delete session.

        Raises:
            ViNotFoundError: no such dataset.
            ViTimeoutError: the deletion did not end within ``timeout``.
        """
        path = self._dataset_path(dataset_id)
        spec = {"filter": _filter_text(filter_criteria), "metadataQuery": metadata_query, "ruleQuery": rule_query,
                "strictQuery": strict_query}  # fmt: skip

        def parse(d: dict[str, Any]) -> m.BulkDeleteSession:
            return convert.bulk_delete(g.DeleteManyAssetsSession.from_dict(d), self._org)

        created = await self._api.call(
            create_delete_many_assets_session, parse, self._org, path,
            body=g.DeleteManyAssetsSessionCreate.from_dict({"spec": spec}),
        )  # fmt: skip
        if not wait_until_done:
            return created
        sid = created.delete_many_assets_session_id
        return await wait_for(
            lambda: self._api.call(get_delete_many_assets_session, parse, self._org, path, sid),
            lambda s: s.is_finished or s.has_failed,
            timeout,
            f"bulk delete {sid}",
            self._client._sleep,
        )


class AsyncAssetsResource(_Resource):
    """Assets of a dataset (see `vi_ext.resources.AssetsResource` for each method's contract)."""

    def _asset(self, d: dict[str, Any]) -> m.Asset:
        return convert.asset(g.Asset.from_dict(d), self._org)

    def _session(self, d: dict[str, Any]) -> m.AssetIngestionSession:
        return convert.session(g.AssetIngestionSession.from_dict(d), self._org)

    async def list(
        self,
        dataset_id: str,
        pagination: PaginationParams | dict[str, Any] | None = None,
        contents: bool = False,
        sort_by: AssetSortCriterion | str | dict[str, Any] | None = None,
        filter_criteria: str | dict[str, Any] | None = None,
        metadata_query: str | None = None,
        rule_query: str | None = None,
        strict_query: bool = False,
    ) -> AsyncPaginatedResponse[m.Asset]:
        """A page of assets; ``async for page in page`` or ``page.all_items()`` for the rest.

        Args:
            dataset_id: the dataset.
            pagination: page size and start token.
            contents: include signed download URLs.
            sort_by: sort field and order.
            filter_criteria: a filter (JSON string or dict).
            metadata_query: a metadata query.
            rule_query: a rule query.
            strict_query: whether the server checks the queries strictly.

        Returns:
            The first page.

        Raises:
            ViValidationError: invalid pagination, sort or filter.
            ViNotFoundError: no such dataset.
        """
        path = self._dataset_path(dataset_id)
        params, query = asset_list_query(
            pagination, contents, sort_by, filter_criteria, metadata_query, rule_query, strict_query
        )

        async def fetch(token: str | None) -> AsyncPaginatedResponse[m.Asset]:
            return await self._api.call(
                list_assets,
                lambda d: AsyncPaginatedResponse(
                    [self._asset(i) for i in convert.page_items(d)], convert.next_page(d), fetch
                ),
                self._org, path, p=token or UNSET, **query,
            )  # fmt: skip

        return await fetch(params.page_token)

    async def get(self, dataset_id: str, asset_id: str, contents: bool = False) -> m.Asset:
        """One asset.

        Args:
            dataset_id: the dataset.
            asset_id: the asset.
            contents: include signed download URLs.

        Returns:
            The asset.

        Raises:
            ViNotFoundError: no such dataset or asset.
        """
        return await self._api.call(
            get_asset, self._asset, self._org, self._dataset_path(dataset_id), _check_id(asset_id, "asset_id"),
            contents=g.YesNo.YES if contents else UNSET,
        )  # fmt: skip

    async def delete(self, dataset_id: str, asset_id: str) -> m.DeletedAsset:
        """Delete one asset.

        Args:
            dataset_id: the dataset.
            asset_id: the asset.

        Returns:
            The id of the deleted asset.

        Raises:
            ViNotFoundError: no such dataset or asset.
        """
        path = self._dataset_path(dataset_id)
        await self._api.call(delete_asset, None, self._org, path, _check_id(asset_id, "asset_id"))
        return m.DeletedAsset(asset_id)

    async def count(
        self,
        dataset_id: str,
        filter_criteria: str | dict[str, Any] | None = None,
        metadata_query: str | None = None,
        rule_query: str | None = None,
        strict_query: bool = False,
    ) -> int:
        """How many assets the filters select, without listing them.

        Args:
            dataset_id: The dataset.
            filter_criteria: A filter (JSON string or dict).
            metadata_query: A query on custom metadata.
            rule_query: A query on asset metadata.
            strict_query: Values must match exactly.

        Returns:
            The number of assets.

        Raises:
            ViValidationError: A filter the server refuses.
            ViNotFoundError: No such dataset.
        """

        return await self._api.call(
            count_assets, parse_count, self._org, self._dataset_path(dataset_id),
            filter_=_filter_text(filter_criteria) or UNSET, metadata_query=metadata_query or UNSET,
            rule_query=rule_query or UNSET, strict_query=g.YesNo.YES if strict_query else UNSET,
        )  # fmt: skip

    async def rename(
        self, dataset_id: str, new_name: str, asset_id: str | None = None, *, filename: str | None = None
    ) -> m.Asset:
        """Give an asset a new filename; it keeps its id, metadata and annotations.

        Args:
            dataset_id: The dataset.
            new_name: The new filename.
            asset_id: The asset to rename; or give ``filename`` instead.
            filename: The current filename of the asset to rename.

        Returns:
            The renamed asset.

        Raises:
            ViValidationError: Not exactly one of ``asset_id``/``filename``, or an empty name.
            ViNotFoundError: No such dataset or asset.
            ViConflictError: Another asset already has ``new_name``.
        """
        if (asset_id is None) == (filename is None):
            raise ViValidationError("give exactly one of asset_id or filename")
        if not isinstance(new_name, str) or not new_name:
            raise ViValidationError("new_name must be a non-empty string")
        if filename is not None:
            asset_id = await self._asset_id_of(dataset_id, filename)
        assert asset_id is not None
        return await self._api.call(
            rename_asset, self._asset, self._org, self._dataset_path(dataset_id), _check_id(asset_id, "asset_id"),
            body=g.AssetRename.from_dict({"filename": new_name}),
        )  # fmt: skip

    async def _asset_id_of(self, dataset_id: str, filename: str) -> str:
        page = await self.list(dataset_id, pagination=PaginationParams(page_size=100),
                               filter_criteria={"filename": filename}, strict_query=True)  # fmt: skip
        async for asset in page.all_items(prefetch=False):
            if asset.filename == filename:
                return asset.asset_id
        raise ViNotFoundError(f"no asset named {filename!r} in dataset {dataset_id!r}", status_code=None)

    async def list_sessions(
        self, dataset_id: str, pagination: PaginationParams | dict[str, Any] | None = None
    ) -> AsyncPaginatedResponse[m.AssetIngestionSession]:
        """A page of the dataset's ingestion sessions (oldest first).

        Args:
            dataset_id: The dataset.
            pagination: Page size and token.

        Returns:
            The first page.

        Raises:
            ViNotFoundError: No such dataset.
        """
        path = self._dataset_path(dataset_id)
        params = PaginationParams.coerce(pagination)

        async def fetch(token: str | None) -> AsyncPaginatedResponse[m.AssetIngestionSession]:
            return await self._api.call(
                list_asset_ingestion_sessions,
                lambda d: AsyncPaginatedResponse(
                    [self._session(i) for i in convert.page_items(d)], convert.next_page(d), fetch
                ),
                self._org, path, *SOURCE, p=token or UNSET, s=params.page_size,
            )  # fmt: skip

        return await fetch(params.page_token)

    async def wait_until_done(
        self, dataset_id: str, asset_ingestion_session_id: str, timeout: float | None = 3600.0
    ) -> m.AssetIngestionSession:
        """Poll an ingestion session until it ends.

        Args:
            dataset_id: the dataset.
            asset_ingestion_session_id: the session.
            timeout: seconds to wait (``None``: no limit).

        Returns:
            The session in its terminal state.

        Raises:
            ViNotFoundError: no such dataset or session.
            ViTimeoutError: the session did not end within ``timeout``.
        """
        path = self._dataset_path(dataset_id)
        sid = _check_id(asset_ingestion_session_id, "asset_ingestion_session_id")
        return await wait_for(
            lambda: self._api.call(get_asset_ingestion_session, self._session, self._org, path, *SOURCE, sid),
            lambda s: s.is_finished or s.has_failed,
            timeout,
            f"ingestion session {sid}",
            self._client._sleep,
        )

    async def cancel_session(self, dataset_id: str, asset_ingestion_session_id: str) -> None:
        """Cancel an ingestion session (what a cancelled upload does with the sessions it created).

        Args:
            dataset_id: the dataset.
            asset_ingestion_session_id: the session.

        Raises:
            ViNotFoundError: no such dataset or session.
        """
        path = self._dataset_path(dataset_id)
        sid = _check_id(asset_ingestion_session_id, "asset_ingestion_session_id")
        await self._api.call(cancel_asset_ingestion_session, None, self._org, path, *SOURCE, sid)

    async def upload(self, dataset_id: str, paths: Any = None, **options: Any) -> AssetUploadResult:
        """Upload files and folders: `AssetsResource.upload`'s parameters, result and errors.

        The sync engine runs in a worker thread. Cancelling the awaiting task stops every transfer
        at its next request, waits for the thread to end, and cancels the ingestion sessions this
        call created (best effort), then re-raises `asyncio.CancelledError`.

        Args:
            dataset_id: the dataset (short or composite id).
            paths: a path or any iterable of paths (``None`` with ``manifest=``).
            **options: every keyword of `AssetsResource.upload`.

        Returns:
            Counts per outcome, a `FileFailure` per failed file, and the sessions.
        """
        self._dataset_path(dataset_id)
        run = self._client._bulk_run()
        return await run.run(
            lambda sync: sync.assets.upload(dataset_id, paths, **options),
            lambda sid: self.cancel_session(dataset_id, sid),
        )

    async def download(self, dataset_id: str, save_dir: Any, *args: Any, **options: Any) -> AssetDownloadResult:
        """Download assets: `AssetsResource.download`'s parameters, result and errors.

        The sync engine runs in a worker thread; cancelling the awaiting task stops it at its next request.

        Args:
            dataset_id: the dataset (short or composite id).
            save_dir: the folder; each dataset gets a sub-folder named by its short id.
            *args: ``overwrite``, ``show_progress`` as for `AssetsResource.download`.
            **options: every keyword of `AssetsResource.download`.

        Returns:
            Counts of downloaded, skipped and failed assets, with a record per failure.
        """
        run = self._client._bulk_run()

        def work(sync: Client) -> AssetDownloadResult:
            return sync.assets.download(dataset_id, save_dir, *args, **options)

        return await run.run(work, lambda sid: self.cancel_session(dataset_id, sid))
