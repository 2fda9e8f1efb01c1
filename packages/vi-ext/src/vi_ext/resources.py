"""`client.datasets` and `client.assets`: the documented methods."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vi_ext import convert
from vi_ext import models as m
from vi_ext._generated import models as g
from vi_ext._generated.api.assets import delete_asset, get_asset, list_assets
from vi_ext._generated.api.bulk_delete import create_delete_many_assets_session, get_delete_many_assets_session
from vi_ext._generated.api.datasets import create_dataset, get_dataset, list_datasets
from vi_ext._generated.api.ingestion import get_asset_ingestion_session
from vi_ext._generated.types import UNSET
from vi_ext.checksums import file_digest
from vi_ext.download import Downloader
from vi_ext.enums import FailureMode, ResourceRetentionMode, wire_value
from vi_ext.errors import ViFileTooLargeError, ViValidationError
from vi_ext.files import TOO_LARGE, LocalFile, discover
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
        """Create a dataset (``dataset_id`` fixes its short id)."""
        body: dict[str, Any] = {"name": name, "description": description, "owner": self._org}
        if dataset_id is not None:
            body["datasetId"] = _check_id(dataset_id, "dataset_id")
        return self._api.call(
            create_dataset, lambda d: convert.dataset(g.Dataset.from_dict(d), self._org), self._org,
            body=g.DatasetCreate.from_dict(body),
        )  # fmt: skip

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
                    [convert.dataset(g.Dataset.from_dict(i), self._org) for i in d["items"]], d.get("nextPage"), fetch
                ),
                self._org, p=token or UNSET, s=params.page_size,
            )  # fmt: skip

        return fetch(params.page_token)

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

        def fetch(token: str | None) -> PaginatedResponse[m.Asset]:
            return self._api.call(
                list_assets,
                lambda d: PaginatedResponse(
                    [convert.asset(g.Asset.from_dict(i), self._org) for i in d["items"]], d.get("nextPage"), fetch
                ),
                self._org, path, p=token or UNSET, **query,
            )  # fmt: skip

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
        paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
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
    ) -> AssetUploadResult:
        """Upload files and folders (recursively); see the README for naming and failure rules."""
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
        selection = discover(paths, max_file_size)
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
    ) -> AssetDownloadResult:
        """Download every asset to ``save_dir/<dataset_id>/<filename>`` (verified, never outside)."""
        short = dataset_id.removeprefix(f"{self._org}_")
        total = self._client.datasets.get(dataset_id).statistic.asset_total
        pages = self.list(dataset_id, pagination=PaginationParams(page_size=1000), contents=True)
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
            return downloader.run(short, items, root, total, overwrite)
