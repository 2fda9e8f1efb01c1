"""`client.datasets` and `client.assets`: the documented methods."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vi_ext import convert, fast_decode
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
from vi_ext._generated.api.ingestion import get_asset_ingestion_session, list_asset_ingestion_sessions
from vi_ext._generated.types import UNSET
from vi_ext.api import ConflictAfterRetry
from vi_ext.checksums import file_digest
from vi_ext.deferred_page import DeferredPage
from vi_ext.download import Downloader
from vi_ext.enums import FailureMode, ResourceRetentionMode, wire_value
from vi_ext.errors import ViFileTooLargeError, ViNotFoundError, ViValidationError
from vi_ext.files import TOO_LARGE, LocalFile, PathsArg, discover, normalize_prefix
from vi_ext.pagination import PaginatedResponse
from vi_ext.polling import wait_for
from vi_ext.progress import CallbackReporter, ProgressCallback
from vi_ext.results import AssetDownloadResult, AssetUploadResult
from vi_ext.types import AssetSortCriterion, PaginationParams
from vi_ext.upload import SOURCE, CustomMetadataArg, Uploader, UploadOptions

if TYPE_CHECKING:
    from vi_ext.client import Client

MIB = 1 << 20
_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_FAILURE_MODES = {"FailAfterOne", "FailAfterAll"}
_RETENTION = {"RemoveLinkedResource": "RemoveLinkedResource", "KeepLinkedResource": "KeepLinkedResource",
              "KeepLinkedResources": "KeepLinkedResource"}  # fmt: skip


def _check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ViValidationError(f"invalid {what} {value!r}: use letters, digits, '-' and '_'")
    return value


def _filter_text(value: str | dict[str, Any] | None) -> str | None:
    """Filters travel as JSON text (a dict is encoded as JSON, never as a Python repr)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        return json.dumps(value)
    raise ViValidationError(f"filter_criteria must be a JSON string or a dict, not {type(value).__name__}")


_UPDATABLE = ("name", "description", "preference")


def update_body(
    spec: dict[str, Any] | None,
    metadata: dict[str, str] | None,
    *,
    name: str | None = None,
    description: str | None = None,
    preference: dict[str, bool | str] | None = None,
) -> dict[str, Any]:
    """The flat PATCH body of `datasets.update` (the gateway refuses a ``{kind, spec}`` wrapper)."""
    body: dict[str, Any] = dict(spec or {})
    unknown = sorted(set(body) - set(_UPDATABLE))
    if unknown:
        raise ViValidationError(f"cannot update {unknown}: only {list(_UPDATABLE)} (type and content are fixed)")
    given = {"name": name, "description": description, "preference": preference}
    body.update({k: v for k, v in given.items() if v is not None})
    if "name" in body and (not isinstance(body["name"], str) or not body["name"].strip()):
        raise ViValidationError("name must be a non-empty string")
    if metadata is not None:
        body["metadata"] = {"attributes": dict(metadata)}
    if not body:
        raise ViValidationError("nothing to update: give name, description, preference or metadata")
    return body


class _Resource:
    def __init__(self, client: Client) -> None:
        self._client = client
        self._api = client._api
        self._org = client.organization_id

    def _dataset_path(self, dataset_id: str) -> str:
        """The composite path segment; a composite id given by the caller is accepted as is."""
        _check_id(dataset_id, "dataset_id")
        prefix = f"{self._org}_"
        return dataset_id if dataset_id.startswith(prefix) else prefix + dataset_id


class DatasetsResource(_Resource):
    """Datasets of the organization."""

    def create(self, name: str, *, dataset_id: str | None = None, description: str = "") -> m.Dataset:
        """Create a dataset (``dataset_id`` fixes its short id).

        Retries are idempotent. With a ``dataset_id``, a 409 that answers a re-sent request (the
        first answer was lost after the server created the dataset) is resolved by reading the
        dataset back: it is returned when its name is ``name``. Without a ``dataset_id`` the server
        cannot recognise a repeat, so the request is re-sent only when the server provably never
        acted on it (connection refused, 429); otherwise the error is raised and no duplicate
        dataset is made.

        Args:
            name: display name.
            dataset_id: the short id to give the dataset (letters, digits, ``-``, ``_``).
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
            return self._api.call(
                create_dataset, lambda d: convert.dataset(g.Dataset.from_dict(d), self._org), self._org,
                body=g.DatasetCreate.from_dict(body), resend_unseen_only=dataset_id is None,
            )  # fmt: skip
        except ConflictAfterRetry:
            if dataset_id is None:
                raise
            existing = self.get(dataset_id)
            if existing.name != name:
                raise
            return existing

    def get(self, dataset_id: str) -> m.Dataset:
        """One dataset."""
        return self._api.call(
            get_dataset, lambda d: convert.dataset(g.Dataset.from_dict(d), self._org), self._org,
            self._dataset_path(dataset_id),
        )  # fmt: skip

    def list(self, pagination: PaginationParams | dict[str, Any] | None = None) -> PaginatedResponse[m.Dataset]:
        """A page of datasets, iterable over all pages."""
        params = PaginationParams.coerce(pagination)

        def fetch(token: str | None) -> PaginatedResponse[m.Dataset]:
            return self._api.call(
                list_datasets,
                lambda d: PaginatedResponse(
                    [convert.dataset(g.Dataset.from_dict(i), self._org) for i in convert.page_items(d)],
                    convert.next_page(d), fetch,
                ),
                self._org, p=token or UNSET, s=params.page_size,
            )  # fmt: skip

        return fetch(params.page_token)

    def update(
        self,
        dataset_id: str,
        spec: dict[str, Any] | None = None,
        metadata: dict[str, str] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        preference: dict[str, bool | str] | None = None,
    ) -> m.Dataset:
        """Change a dataset's name, description or display preferences; what is not given keeps its value.

        Args:
            dataset_id: The dataset (short or composite id).
            spec: The fields to change as a dict (``name``, ``description``, ``preference``), as the
                official client takes them; the keyword arguments win over it.
            metadata: Attributes merged into the dataset's.
            name: New display name (not empty).
            description: New description.
            preference: Display preferences, merged into the dataset's.

        Returns:
            The updated dataset.

        Raises:
            ViValidationError: Nothing to change, an unknown field or an empty name.
            ViNotFoundError: No such dataset.
        """
        body = update_body(spec, metadata, name=name, description=description, preference=preference)
        return self._api.call(
            update_dataset, lambda d: convert.dataset(g.Dataset.from_dict(d), self._org), self._org,
            self._dataset_path(dataset_id), body=g.DatasetUpdate.from_dict(body),
        )  # fmt: skip

    def delete(self, dataset_id: str, wait_until_done: bool = True, timeout: float | None = 600.0) -> m.DatasetDeletion:
        """Delete a dataset with all its assets (permanent), waiting for the deletion to finish.

        Args:
            dataset_id: The dataset (short or composite id).
            wait_until_done: Poll the deletion operation until ``Finished`` is reached.
            timeout: Seconds to wait at most (``None``: no limit).

        Returns:
            The deletion operation (finished when waited for).

        Raises:
            ViNotFoundError: No such dataset.
            ViTimeoutError: The deletion did not finish in time (``partial_result`` holds the last state).
        """
        path = self._dataset_path(dataset_id)
        created = self._api.call(delete_dataset, self._deletion, self._org, path)
        if not wait_until_done or created.is_finished:
            return created
        return wait_for(
            lambda: self.get_deletion_operation(dataset_id),
            lambda op: op.is_finished or op.has_failed,
            timeout,
            f"deletion of dataset {dataset_id}",
            self._client._sleep,
        )

    def get_deletion_operation(self, dataset_id: str) -> m.DatasetDeletion:
        """The deletion operation of a deleted (or being deleted) dataset.

        Args:
            dataset_id: The dataset (short or composite id).

        Returns:
            The deletion operation.

        Raises:
            ViNotFoundError: The dataset was never deleted.
        """
        return self._api.call(get_dataset_delete_operation, self._deletion, self._org, self._dataset_path(dataset_id))

    def _deletion(self, d: dict[str, Any]) -> m.DatasetDeletion:
        return convert.dataset_deletion(g.DatasetDeleteOperation.from_dict(d), self._org)

    def bulk_delete_assets(
        self,
        dataset_id: str,
        filter_criteria: str | dict[str, Any] | None = None,
        metadata_query: str | None = None,
        rule_query: str | None = None,
        strict_query: bool | None = None,
        wait_until_done: bool = True,
        timeout: float | None = 600.0,
    ) -> m.BulkDeleteSession:
        """Delete every asset the filters select (all assets when none is given)."""
        path = self._dataset_path(dataset_id)
        spec = {"filter": _filter_text(filter_criteria), "metadataQuery": metadata_query, "ruleQuery": rule_query,
                "strictQuery": strict_query}  # fmt: skip

        def parse(d: dict[str, Any]) -> m.BulkDeleteSession:
            return convert.bulk_delete(g.DeleteManyAssetsSession.from_dict(d), self._org)

        created = self._api.call(
            create_delete_many_assets_session, parse, self._org, path,
            body=g.DeleteManyAssetsSessionCreate.from_dict({"spec": spec}),
        )  # fmt: skip
        if not wait_until_done:
            return created
        return wait_for(
            lambda: self._api.call(
                get_delete_many_assets_session, parse, self._org, path, created.delete_many_assets_session_id
            ),
            lambda s: s.is_finished or s.has_failed,
            timeout,
            f"bulk delete {created.delete_many_assets_session_id}",
            self._client._sleep,
        )


class AssetsResource(_Resource):
    """Assets of a dataset."""

    def list(
        self,
        dataset_id: str,
        pagination: PaginationParams | dict[str, Any] | None = None,
        contents: bool = False,
        sort_by: AssetSortCriterion | str | dict[str, Any] | None = None,
        filter_criteria: str | dict[str, Any] | None = None,
        metadata_query: str | None = None,
        rule_query: str | None = None,
        strict_query: bool = False,
    ) -> PaginatedResponse[m.Asset]:
        """A page of assets; iterate it for every page, or use ``.all_items()``."""
        path = self._dataset_path(dataset_id)
        params = PaginationParams.coerce(pagination)
        sort = AssetSortCriterion.coerce(sort_by)
        query: dict[str, Any] = {
            "s": params.page_size,
            "contents": g.YesNo.YES if contents else UNSET,
            "filter_": _filter_text(filter_criteria) or UNSET,
            "metadata_query": metadata_query or UNSET,
            "rule_query": rule_query or UNSET,
            "strict_query": g.YesNo.YES if strict_query else UNSET,
        }
        if sort is not None:
            query["sort_by"] = g.AssetSortField(wire_value(sort.criterion))
            query["o"] = g.SortOrder(wire_value(sort.order))

        def fetch(token: str | None, later: bool = False) -> PaginatedResponse[m.Asset]:
            def page(d: dict[str, Any]) -> PaginatedResponse[m.Asset]:
                decode, nxt = fast_decode.deferred(convert.page_items(d), self._org), partial(fetch, later=True)
                if later:  # decoded on first use: all_items decodes it while fetching the next page
                    return DeferredPage(decode, convert.next_page(d), nxt)
                return PaginatedResponse(decode(), convert.next_page(d), nxt)  # errors surface from list()

            return self._api.call(list_assets, page, self._org, path, p=token or UNSET, **query)

        return fetch(params.page_token)

    def get(self, dataset_id: str, asset_id: str, contents: bool = False) -> m.Asset:
        """One asset (``contents=True`` adds signed download URLs)."""
        return self._api.call(
            get_asset, lambda d: convert.asset(g.Asset.from_dict(d), self._org), self._org,
            self._dataset_path(dataset_id), _check_id(asset_id, "asset_id"),
            contents=g.YesNo.YES if contents else UNSET,
        )  # fmt: skip

    def delete(self, dataset_id: str, asset_id: str) -> m.DeletedAsset:
        """Delete one asset."""
        self._api.call(delete_asset, None, self._org, self._dataset_path(dataset_id), _check_id(asset_id, "asset_id"))
        return m.DeletedAsset(asset_id)

    def count(
        self,
        dataset_id: str,
        filter_criteria: str | dict[str, Any] | None = None,
        metadata_query: str | None = None,
        rule_query: str | None = None,
        strict_query: bool = False,
    ) -> int:
        """How many assets the filters select (all assets when none is given), without listing them.

        Args:
            dataset_id: The dataset (short or composite id).
            filter_criteria: A JSON object (text or dict) of field/value pairs, as for `list`.
            metadata_query: A query on custom metadata.
            rule_query: A query on asset metadata.
            strict_query: Values must match exactly.

        Returns:
            The number of assets.

        Raises:
            ViValidationError: A filter the server refuses.
            ViNotFoundError: No such dataset.
        """

        def parse(d: Any) -> int:
            value = d if isinstance(d, int) and not isinstance(d, bool) else g.AssetCount.from_dict(d).count
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"not a count: {value!r}")
            return value

        return self._api.call(
            count_assets, parse, self._org, self._dataset_path(dataset_id),
            filter_=_filter_text(filter_criteria) or UNSET, metadata_query=metadata_query or UNSET,
            rule_query=rule_query or UNSET, strict_query=g.YesNo.YES if strict_query else UNSET,
        )  # fmt: skip

    def rename(
        self, dataset_id: str, new_name: str, asset_id: str | None = None, *, filename: str | None = None
    ) -> m.Asset:
        """Give an asset a new filename; it keeps its id, metadata and annotations.

        Args:
            dataset_id: The dataset (short or composite id).
            new_name: The new filename (the rules of upload filenames apply).
            asset_id: The asset to rename; or give ``filename`` instead.
            filename: The current filename of the asset to rename.

        Returns:
            The renamed asset.

        Raises:
            ViValidationError: Not exactly one of ``asset_id``/``filename``, an empty or refused name.
            ViNotFoundError: No such dataset or asset.
            ViConflictError: Another asset already has ``new_name``.
        """
        if (asset_id is None) == (filename is None):
            raise ViValidationError("give exactly one of asset_id or filename")
        if not isinstance(new_name, str) or not new_name:
            raise ViValidationError("new_name must be a non-empty string")
        if filename is not None:
            asset_id = self._asset_id_of(dataset_id, filename)
        assert asset_id is not None
        return self._api.call(
            rename_asset, lambda d: convert.asset(g.Asset.from_dict(d), self._org), self._org,
            self._dataset_path(dataset_id), _check_id(asset_id, "asset_id"),
            body=g.AssetRename.from_dict({"filename": new_name}),
        )  # fmt: skip

    def _asset_id_of(self, dataset_id: str, filename: str) -> str:
        """The id of the asset named exactly ``filename``, or `ViNotFoundError`."""
        page = self.list(dataset_id, pagination=PaginationParams(page_size=100),
                         filter_criteria={"filename": filename}, strict_query=True)  # fmt: skip
        for asset in page.all_items(prefetch=False):
            if asset.filename == filename:
                return asset.asset_id
        raise ViNotFoundError(f"no asset named {filename!r} in dataset {dataset_id!r}", status_code=None)

    def list_sessions(
        self, dataset_id: str, pagination: PaginationParams | dict[str, Any] | None = None
    ) -> PaginatedResponse[m.AssetIngestionSession]:
        """A page of the dataset's ingestion sessions (oldest first), iterable over all pages.

        Args:
            dataset_id: The dataset (short or composite id).
            pagination: Page size and token, as for `list`.

        Returns:
            The first page; iterate it, or use ``.all_items()``, for the rest.

        Raises:
            ViNotFoundError: No such dataset.
        """
        path = self._dataset_path(dataset_id)
        params = PaginationParams.coerce(pagination)

        def fetch(token: str | None) -> PaginatedResponse[m.AssetIngestionSession]:
            return self._api.call(
                list_asset_ingestion_sessions,
                lambda d: PaginatedResponse(
                    [convert.session(g.AssetIngestionSession.from_dict(i), self._org) for i in d["items"]],
                    d.get("nextPage"), fetch,
                ),
                self._org, path, *SOURCE, p=token or UNSET, s=params.page_size,
            )  # fmt: skip

        return fetch(params.page_token)

    def wait_until_done(
        self, dataset_id: str, asset_ingestion_session_id: str, timeout: float | None = 3600.0
    ) -> m.AssetIngestionSession:
        """Poll a session until it ends (any terminal state); past ``timeout``, `ViTimeoutError`."""
        path = self._dataset_path(dataset_id)
        sid = _check_id(asset_ingestion_session_id, "asset_ingestion_session_id")
        return wait_for(
            lambda: self._api.call(
                get_asset_ingestion_session,
                lambda d: convert.session(g.AssetIngestionSession.from_dict(d), self._org),
                self._org, path, *SOURCE, sid,
            ),
            lambda s: s.is_finished or s.has_failed,
            timeout,
            f"ingestion session {sid}",
            self._client._sleep,
        )  # fmt: skip

    def upload(
        self,
        dataset_id: str,
        paths: PathsArg,
        wait_until_done: bool = True,
        failure_mode: FailureMode | str = "FailAfterOne",
        on_asset_overwritten: ResourceRetentionMode | str = "RemoveLinkedResource",
        *,
        batch_size: int = 10_000,
        max_workers: int | None = None,
        max_file_size: int = 256 * MIB,
        multipart_threshold: int = 64 * MIB,
        skip_existing: bool = False,
        custom_metadata: CustomMetadataArg = None,
        show_progress: bool = True,
        progress: ProgressCallback | None = None,
        timeout: float | None = 3600.0,
        prefix: str | None = None,
    ) -> AssetUploadResult:
        """Upload files and folders (recursively); see the README for naming and failure rules.

        ``paths`` is a path or any iterable of paths (e.g. ``Path.rglob`` results); ``prefix``
        (e.g. ``"train/cat/"``) goes before every asset filename.
        """
        mode = wire_value(failure_mode) if isinstance(failure_mode, (Enum, str)) else failure_mode
        if mode not in _FAILURE_MODES:
            raise ViValidationError(f"failure_mode must be one of {sorted(_FAILURE_MODES)}, got {failure_mode!r}")
        retention = (
            _RETENTION.get(wire_value(on_asset_overwritten)) if isinstance(on_asset_overwritten, (Enum, str)) else None
        )
        if retention is None:
            raise ViValidationError(
                f"on_asset_overwritten must be one of {sorted(_RETENTION)}, got {on_asset_overwritten!r}"
            )
        if not 1 <= batch_size <= 10_000:
            raise ViValidationError("batch_size must be from 1 to 10000 (one session holds at most 10 000 assets)")
        workers = max_workers or self._client.max_workers
        if workers < 1:
            raise ViValidationError("max_workers must be at least 1")
        path = self._dataset_path(dataset_id)
        selection = discover(paths, max_file_size, normalize_prefix(prefix))
        too_large = [r for r in selection.rejected if r.code == TOO_LARGE]
        if too_large and mode == "FailAfterOne":
            first = too_large[0]
            raise ViFileTooLargeError(f"{first.local}: {first.message}; nothing was uploaded", status_code=None)
        options = UploadOptions(mode, retention, batch_size, workers, wait_until_done, timeout, custom_metadata)
        existing = self._already_there(dataset_id, selection.files) if skip_existing else set()
        with CallbackReporter(progress, show_progress) as reporter, self._client._storage_clients() as storage:
            uploader = Uploader(
                self._api,
                storage.get,
                self._client._policy,
                reporter,
                self._client._sleep,
                multipart_threshold,
            )
            return uploader.run(path, selection, options, existing)

    def _already_there(self, dataset_id: str, files: Sequence[LocalFile]) -> set[str]:
        """Local paths whose filename, size and content hash match an asset of the dataset."""
        wanted = {f.filename: f for f in files}
        found: set[str] = set()
        for asset in self.list(dataset_id, pagination=PaginationParams(page_size=1000)).all_items():
            f = wanted.get(asset.filename)
            if f is None or f.size != asset.metadata.file_size:
                continue
            algorithm = asset.metadata.hash.algorithm.lower()
            if (
                algorithm in hashlib.algorithms_guaranteed
                and file_digest(f.path, algorithm) == asset.metadata.hash.contents
            ):
                found.add(f.local)
        return found

    def download(
        self,
        dataset_id: str,
        save_dir: str | os.PathLike[str],
        overwrite: bool = False,
        show_progress: bool = True,
        *,
        max_workers: int | None = None,
        progress: ProgressCallback | None = None,
        filter_criteria: str | dict[str, Any] | None = None,
        metadata_query: str | None = None,
    ) -> AssetDownloadResult:
        """Download assets to ``save_dir/<dataset_id>/<filename>``, verified, never outside ``save_dir``.

        Args:
            dataset_id: The dataset (short or composite id).
            save_dir: The folder; each dataset gets a sub-folder named by its short id.
            overwrite: Fetch again even when an identical file is already there.
            show_progress: Show a progress bar on stderr.
            max_workers: Concurrent transfers (the client's default when ``None``).
            progress: Called with a `ProgressEvent` as files finish.
            filter_criteria: Only the assets this filter selects (as for `list`), e.g.
                ``{"filename": ["a.jpg", "b.jpg"]}``.
            metadata_query: Only the assets this metadata query selects (as for `list`).

        Returns:
            Counts of downloaded, skipped and failed assets, with a record per failure.

        Raises:
            ViNotFoundError: The dataset does not exist.
            ViDownloadError: ``save_dir/<dataset_id>`` is a symbolic link.
        """
        short = dataset_id.removeprefix(f"{self._org}_")
        filtered = bool(filter_criteria) or bool(metadata_query)
        total = 0 if filtered else self._client.datasets.get(dataset_id).statistic.asset_total
        total_bytes = 0
        if show_progress or progress is not None:  # someone watches: give the bar its byte total
            total, total_bytes = self._count_and_size(dataset_id, filter_criteria, metadata_query)
        pages = self.list(
            dataset_id, pagination=PaginationParams(page_size=1000), contents=True,
            filter_criteria=filter_criteria, metadata_query=metadata_query,
        )  # fmt: skip
        items: Iterator[m.Asset] = pages.all_items()
        root = Path(save_dir).expanduser() / short
        with CallbackReporter(progress, show_progress) as reporter, self._client._storage_clients() as storage:
            downloader = Downloader(
                storage.get,
                lambda asset_id: self.get(dataset_id, asset_id, contents=True),
                self._client._policy,
                reporter,
                max_workers or self._client.max_workers,
                self._client._sleep,
            )
            return downloader.run(short, items, root, total, overwrite, total_bytes)

    def _count_and_size(
        self, dataset_id: str, filter_criteria: str | dict[str, Any] | None = None, metadata_query: str | None = None
    ) -> tuple[int, int]:
        """How many assets the (filtered) dataset holds and their total size (one listing without URLs)."""
        count = size = 0
        pages = self.list(
            dataset_id, pagination=PaginationParams(page_size=1000), filter_criteria=filter_criteria,
            metadata_query=metadata_query,
        )  # fmt: skip
        for asset in pages.all_items():
            count += 1
            size += asset.metadata.file_size
        return count, size
