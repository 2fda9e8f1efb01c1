"""`client.datasets` and `client.assets`: the documented methods."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vi_ext import convert, fast_decode, overwrites
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
from vi_ext.checksums import file_digest
from vi_ext.deferred_page import DeferredPage
from vi_ext.download import LISTING_PAGE_SIZE, Downloader
from vi_ext.enums import FailureMode, ResourceRetentionMode, wire_value
from vi_ext.errors import ConflictAfterRetry, ViNotFoundError, ViValidationError
from vi_ext.files import (
    Item,
    LocalFile,
    PathsArg,
    Selection,
    collect,
    iter_discover,
    iter_manifest,
    normalize_prefix,
)
from vi_ext.manifest import ManifestEntry, read_manifest
from vi_ext.pagination import PaginatedResponse
from vi_ext.polling import wait_for
from vi_ext.progress import CallbackReporter, ProgressCallback
from vi_ext.results import AssetDownloadResult, AssetUploadResult, FileFailure
from vi_ext.selection import FileFilter
from vi_ext.types import AssetSortCriterion, PaginationParams
from vi_ext.upload import CustomMetadataArg, Uploader, UploadOptions
from vi_ext.wire import SOURCE, composite_dataset_id, short_dataset_id

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


def parse_count(d: Any) -> int:
    """Decode a `countAssets` answer: ``{"count": n}`` or a bare integer (shared by both clients).

    Raises:
        ValueError: not a count (``ApiClient.call`` turns it into a `ViServerError`).
    """
    value = d if isinstance(d, int) and not isinstance(d, bool) else g.AssetCount.from_dict(d).count
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"not a count: {value!r}")
    return value


def asset_list_query(
    pagination: PaginationParams | dict[str, Any] | None,
    contents: bool,
    sort_by: AssetSortCriterion | str | dict[str, Any] | None,
    filter_criteria: str | dict[str, Any] | None,
    metadata_query: str | None,
    rule_query: str | None,
    strict_query: bool,
) -> tuple[PaginationParams, dict[str, Any]]:
    """The page parameters and the query of an asset listing (shared by `Client` and `AsyncClient`).

    Returns:
        The coerced pagination, and the keyword arguments of the generated ``list_assets``.

    Raises:
        ViValidationError: invalid pagination, sort or filter.
    """
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
    return params, query


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
    """The flat PATCH body of `datasets.update` (the gateway refuses a ``{kind, spec}`` wrapper).

    Args:
        spec: the official client's ``spec`` dict (only ``name``, ``description``, ``preference``).
        metadata: string attributes, sent as ``{"metadata": {"attributes": ...}}``.
        name: the new display name (overrides ``spec``).
        description: the new description (overrides ``spec``).
        preference: the new preferences (overrides ``spec``).

    Returns:
        The PATCH body.

    Raises:
        ViValidationError: an unknown field, an empty name, or nothing to update.
    """
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


def _digest(path: Path, algorithm: str) -> str | None:
    """The file's digest, or ``None`` when it cannot be read (then it is not "already there": the upload reports it)."""
    try:
        return file_digest(path, algorithm)
    except OSError:
        return None


def dry_run_result(selection: Selection, existing: set[str]) -> AssetUploadResult:
    """What an upload of ``selection`` would do, as a result that sent nothing (pure).

    Args:
        selection: The files found.
        existing: Local paths already in the dataset (``skip_existing``).

    Returns:
        ``dry_run=True``; ``would_upload`` the files to send, ``failures`` the rejected ones.
    """
    rejected = {r.local: r for r in selection.rejected}
    return AssetUploadResult(
        sessions=[],
        total_files=len(selection.order),
        total_succeeded=len(existing),
        failures=[FileFailure(r.local, r.filename, r.code, r.message) for r in rejected.values()],
        skipped_files=[s.local for s in selection.skipped],
        skip_reasons={s.local: s.reason for s in selection.skipped},
        waited=False,
        existing_files=[local for local in selection.order if local in existing],
        dry_run=True,
        would_upload=[f.local for f in selection.files if f.local not in existing],
    )


class _Resource:
    def __init__(self, client: Client) -> None:
        self._client = client
        self._api = client._api
        self._org = client.organization_id

    def _dataset_path(self, dataset_id: str) -> str:
        """The composite path segment; a composite id given by the caller is accepted as is."""
        _check_id(dataset_id, "dataset_id")
        return composite_dataset_id(self._org, dataset_id)


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
        """One dataset.

        Args:
            dataset_id: the dataset (short or composite id).

        Returns:
            The dataset.

        Raises:
            ViNotFoundError: no such dataset.
        """
        return self._api.call(
            get_dataset, lambda d: convert.dataset(g.Dataset.from_dict(d), self._org), self._org,
            self._dataset_path(dataset_id),
        )  # fmt: skip

    def list(self, pagination: PaginationParams | dict[str, Any] | None = None) -> PaginatedResponse[m.Dataset]:
        """A page of datasets, iterable over all pages.

        Args:
            pagination: page size and start token (`PaginationParams` or a dict of its fields).

        Returns:
            The first page; iterate it, or use ``.all_items()``, for the rest.

        Raises:
            ViValidationError: invalid pagination.
        """
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
        """Delete every asset the filters select (all assets when none is given).

        Args:
            dataset_id: the dataset (short or composite id).
            filter_criteria: a filter (JSON string or dict), as for `AssetsResource.list`.
            metadata_query: a metadata query.
            rule_query: a rule query.
            strict_query: whether the server checks the queries strictly.
            wait_until_done: poll the deletion until it ends.
            timeout: seconds to wait (``None``: no limit).

        Returns:
            The bulk-delete session (finished when ``wait_until_done``).

        Raises:
            ViNotFoundError: no such dataset.
            ViTimeoutError: the deletion did not end within ``timeout``.
        """
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
        """A page of assets; iterate it for every page, or use ``.all_items()``.

        Args:
            dataset_id: the dataset (short or composite id).
            pagination: page size and start token (`PaginationParams` or a dict of its fields).
            contents: include signed download URLs.
            sort_by: sort field and order (`AssetSortCriterion`, a criterion, or a dict).
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

        def fetch(token: str | None, later: bool = False) -> PaginatedResponse[m.Asset]:
            def page(d: dict[str, Any]) -> PaginatedResponse[m.Asset]:
                decode, nxt = fast_decode.deferred(convert.page_items(d), self._org), partial(fetch, later=True)
                if later:  # decoded on first use: all_items decodes it while fetching the next page
                    return DeferredPage(decode, convert.next_page(d), nxt)
                return PaginatedResponse(decode(), convert.next_page(d), nxt)  # errors surface from list()

            return self._api.call(list_assets, page, self._org, path, p=token or UNSET, **query)

        return fetch(params.page_token)

    def get(self, dataset_id: str, asset_id: str, contents: bool = False) -> m.Asset:
        """One asset.

        Args:
            dataset_id: the dataset (short or composite id).
            asset_id: the asset.
            contents: include signed download URLs.

        Returns:
            The asset.

        Raises:
            ViNotFoundError: no such dataset or asset.
        """
        return self._api.call(
            get_asset, lambda d: convert.asset(g.Asset.from_dict(d), self._org), self._org,
            self._dataset_path(dataset_id), _check_id(asset_id, "asset_id"),
            contents=g.YesNo.YES if contents else UNSET,
        )  # fmt: skip

    def delete(self, dataset_id: str, asset_id: str) -> m.DeletedAsset:
        """Delete one asset.

        Args:
            dataset_id: the dataset (short or composite id).
            asset_id: the asset.

        Returns:
            The id of the deleted asset.

        Raises:
            ViNotFoundError: no such dataset or asset.
        """
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

        return self._api.call(
            count_assets, parse_count, self._org, self._dataset_path(dataset_id),
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
                    [convert.session(g.AssetIngestionSession.from_dict(i), self._org) for i in convert.page_items(d)],
                    convert.next_page(d), fetch,
                ),
                self._org, path, *SOURCE, p=token or UNSET, s=params.page_size,
            )  # fmt: skip

        return fetch(params.page_token)

    def wait_until_done(
        self, dataset_id: str, asset_ingestion_session_id: str, timeout: float | None = 3600.0
    ) -> m.AssetIngestionSession:
        """Poll an ingestion session until it ends (any terminal state).

        Args:
            dataset_id: the dataset (short or composite id).
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
        paths: PathsArg | None = None,
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
        include: Iterable[str] | str | None = None,
        exclude: Iterable[str] | str | None = None,
        dry_run: bool = False,
        manifest: str | os.PathLike[str] | Iterable[ManifestEntry] | None = None,
    ) -> AssetUploadResult:
        """Upload files and folders (recursively); see the README for naming and failure rules.

        Args:
            dataset_id: the dataset (short or composite id).
            paths: a path or any iterable of paths (e.g. ``Path.rglob`` results); ``None`` with ``manifest``.
            wait_until_done: wait until the server has ingested every file.
            failure_mode: ``FailAfterOne`` (stop at the first failure) or ``FailAfterAll``.
            on_asset_overwritten: what happens to annotations of an asset replaced by a same-named file.
            batch_size: files per ingestion session (1 to 10 000).
            max_workers: concurrent transfers (the client's default when ``None``).
            max_file_size: larger files are refused (``FILE_TOO_LARGE``) before anything is sent.
            multipart_threshold: files of this size or more go up in parts.
            skip_existing: files already in the dataset (same filename, size and hash) are not sent.
            custom_metadata: metadata for every file, or a callable giving each file's (by local path).
            show_progress: show a progress bar on stderr.
            progress: called with a `ProgressEvent` as files finish.
            timeout: seconds to wait for ingestion (``None``: no limit).
            prefix: goes before every asset filename (e.g. ``"train/cat/"``).
            include: Globs a file found in a folder must match (README "Selecting files").
            exclude: Globs that leave files found in folders out. Hidden files and folders,
                ``.git``, ``__MACOSX`` and ``._*`` are left out by default; every file left out is
                in ``skipped_files``, its reason in ``skip_reasons``.
            dry_run: Send nothing that changes the server: the result has ``dry_run=True``,
                ``would_upload`` (what would be sent), ``skipped_files`` and ``failures`` (what
                would be rejected); with ``skip_existing`` the dataset is still read.
            manifest: Instead of ``paths``: a ``.jsonl`` manifest (`vi_ext.manifest`) or an iterable
                of `ManifestEntry`. An entry whose file is missing (``FILE_MISSING``) or no longer
                has its size or crc32c (``FILE_CHANGED``) fails alone; an entry's
                ``custom_metadata`` wins over ``custom_metadata``.

        Returns:
            Counts per outcome, a `FileFailure` per failed file, and the sessions.

        Raises:
            ViValidationError: an invalid option or custom metadata (nothing is sent).
            ViFileTooLargeError: a file over ``max_file_size`` under ``FailAfterOne`` met before the
                first session is created (nothing is sent); later, a ``FILE_TOO_LARGE`` failure stops the upload.
            ViUploadInterruptedError: the endpoint stopped answering (``.result`` holds the rest).
            ViUploadError: the upload could not go on (``.result`` holds what was done).
            ViTimeoutError: ingestion did not end within ``timeout`` (``.partial_result``).
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
        stream = self._select(paths, manifest, max_file_size, normalize_prefix(prefix), include, exclude)
        if dry_run:
            selection = collect(stream)
            existing = self._already_there(dataset_id, selection.files) if skip_existing else set()
            return dry_run_result(selection, existing)
        options = UploadOptions(mode, retention, batch_size, workers, wait_until_done, timeout, custom_metadata)
        find_existing = functools.partial(self._already_there, dataset_id) if skip_existing else None
        with CallbackReporter(progress, show_progress) as reporter, self._client._storage_clients() as storage:
            uploader = Uploader(
                self._api,
                storage.get,
                self._client._policy,
                reporter,
                self._client._sleep,
                multipart_threshold,
            )
            return uploader.run(path, stream, options, find_existing)

    @staticmethod
    def _select(
        paths: PathsArg | None,
        manifest: str | os.PathLike[str] | Iterable[ManifestEntry] | None,
        max_file_size: int,
        prefix: str,
        include: Iterable[str] | str | None,
        exclude: Iterable[str] | str | None,
    ) -> Iterator[Item]:
        """The files of an upload, streamed: from ``paths`` through the rules, or from a manifest."""
        if (paths is None) == (manifest is None):
            raise ViValidationError("give either paths or manifest=, not both (nor neither)")
        if manifest is None:
            return iter_discover(paths, max_file_size, prefix, FileFilter.build(include, exclude))  # type: ignore[arg-type]
        if include or exclude:
            raise ViValidationError("include/exclude select files found in folders; a manifest lists its files")
        entries = read_manifest(manifest) if isinstance(manifest, str | os.PathLike) else manifest
        return iter_manifest(entries, max_file_size, prefix)

    def _already_there(self, dataset_id: str, files: Sequence[LocalFile]) -> set[str]:
        """Local paths whose filename, size and content hash match an asset of the dataset.

        The dataset is asked about these names only (exact-name queries, `overwrites.name_chunks`),
        unless listing it whole is cheaper (`overwrites.plan`) — never a full listing of a big dataset.
        """
        wanted = {f.filename: f for f in files}
        found: set[str] = set()
        total = self._client.datasets.get(dataset_id).statistic.asset_total if wanted else 0
        how = overwrites.plan(total, len(wanted))
        if how == "none":
            return found
        if how == "list":
            assets: Iterable[m.Asset] = self.list(dataset_id, pagination=PaginationParams(page_size=1000)).all_items()
        else:
            assets = (
                a
                for chunk in overwrites.name_chunks(wanted)
                for a in self.list(dataset_id, pagination=PaginationParams(page_size=1000),
                                   filter_criteria={"filename": chunk}, strict_query=True).all_items()
            )  # fmt: skip
        for asset in assets:
            f = wanted.get(asset.filename)
            if f is None or f.size != asset.metadata.file_size:
                continue
            algorithm = asset.metadata.hash.algorithm.lower()
            if (
                algorithm in hashlib.algorithms_guaranteed
                and _digest(f.path, algorithm) == asset.metadata.hash.contents
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
        include: Iterable[str] | str | None = None,
        exclude: Iterable[str] | str | None = None,
        dry_run: bool = False,
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
            include: Only assets whose filename matches one of these globs (README "Selecting
                files"; no default excludes: asset names are taken as they are).
            exclude: Leave out assets whose filename matches one of these globs.
            dry_run: Fetch nothing: the result has ``dry_run=True`` and ``would_fetch``, the
                filenames of the assets the download would take (already-present files included).

        Returns:
            Counts of downloaded, skipped and failed assets, with a record per failure.

        Raises:
            ViNotFoundError: The dataset does not exist.
            ViDownloadError: ``save_dir/<dataset_id>`` is a symbolic link.
        """
        short = short_dataset_id(dataset_id, self._org)
        rules = FileFilter.build(include, exclude, default_excludes=False)
        root = Path(save_dir).expanduser() / short
        if dry_run:
            names = [a.filename for a in self.selected(dataset_id, filter_criteria, metadata_query, rules)]
            return AssetDownloadResult(short, root, len(names), 0, 0, 0, [], dry_run=True, would_fetch=names)
        total = total_bytes = 0  # only progress needs them: counted only when someone watches
        if show_progress or progress is not None:
            total, total_bytes = self._count_and_size(dataset_id, filter_criteria, metadata_query, rules)
        items = self.selected(
            dataset_id, filter_criteria, metadata_query, rules, contents=True, page_size=LISTING_PAGE_SIZE
        )
        return self.download_assets(
            dataset_id, root, items, total=total, total_bytes=total_bytes, overwrite=overwrite,
            show_progress=show_progress, progress=progress, max_workers=max_workers,
        )  # fmt: skip

    def selected(
        self,
        dataset_id: str,
        filter_criteria: str | dict[str, Any] | None,
        metadata_query: str | None,
        rules: FileFilter,
        contents: bool = False,
        page_size: int = 1000,
    ) -> Iterator[m.Asset]:
        """Stream the assets the server-side filters and the filename globs select (all pages)."""
        pages = self.list(
            dataset_id, pagination=PaginationParams(page_size=page_size), contents=contents,
            filter_criteria=filter_criteria, metadata_query=metadata_query,
        )  # fmt: skip
        return (a for a in pages.all_items() if rules.allows(a.filename))

    def download_assets(
        self,
        dataset_id: str,
        root: Path,
        assets: Iterator[m.Asset],
        *,
        total: int,
        total_bytes: int = 0,
        overwrite: bool = False,
        show_progress: bool = False,
        progress: ProgressCallback | None = None,
        max_workers: int | None = None,
        clean_leftovers: bool = True,
    ) -> AssetDownloadResult:
        """Download already-listed assets (with contents) under ``root``; expired URLs are refreshed.

        Args:
            dataset_id: The dataset (short or composite id).
            root: The dataset's own folder (``save_dir/<short id>``).
            assets: The assets, listed with ``contents=True``.
            total: How many (for progress).
            total_bytes: Their total size (for progress).
            overwrite: Fetch again even when an identical file is already there.
            show_progress: Show a progress bar on stderr.
            progress: Called with a `ProgressEvent` as files finish.
            max_workers: Concurrent transfers (the client's default when ``None``).
            clean_leftovers: Remove temp files of an interrupted run first (not while other
                downloads write under ``root``).

        Returns:
            Counts of downloaded, skipped and failed assets, with a record per failure.

        Raises:
            ViDownloadError: ``root`` is a symbolic link.
        """
        short = short_dataset_id(dataset_id, self._org)
        with CallbackReporter(progress, show_progress) as reporter, self._client._download_getter() as getter:
            downloader = Downloader(
                getter,
                lambda asset_id: self.get(dataset_id, asset_id, contents=True),
                self._client._policy,
                reporter,
                max_workers or self._client.max_workers,
                self._client._sleep,
            )
            return downloader.run(short, assets, root, total, overwrite, total_bytes, clean_leftovers)

    def _count_and_size(
        self,
        dataset_id: str,
        filter_criteria: str | dict[str, Any] | None = None,
        metadata_query: str | None = None,
        rules: FileFilter | None = None,
    ) -> tuple[int, int]:
        """How many assets the (filtered) dataset holds and their total size (one listing without URLs)."""
        count = size = 0
        for asset in self.selected(
            dataset_id, filter_criteria, metadata_query, rules or FileFilter(default_excludes=False)
        ):
            count += 1
            size += asset.metadata.file_size
        return count, size
